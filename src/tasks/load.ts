import { readFile } from 'node:fs/promises';
import type { Graph } from '../graph/index.js';
import { numElements } from '../graph/index.js';
import { ModelFormatError } from '../errors.js';
import type { SessionOptions } from '../runtime/index.js';
import { resolveModel } from '../models/zoo.js';
import { Model } from './model.js';
import { graphFromBytes } from './graph_bytes.js';
import { findLabelsFile, fitLabels, readLabelsFile } from './labels_lookup.js';

/** Options of {@link loadModel}. */
export interface LoadOptions {
  /** Directory searched for model names (besides $MOBILENET_MODELS, ./models and the user cache). */
  modelDir?: string;
  /** A labels file to use instead of the model's own. */
  labels?: string;
  /** Input resolution for formats that do not fix it (PyTorch checkpoints; default 224). */
  resolution?: number;
  /** Runtime options (kernel variants, threads). */
  session?: SessionOptions;
}

/** Reads a model file (TFLite, TF.js layers model.json, PyTorch state dict) into a graph. */
export async function loadGraph(pathOrBytes: string | Uint8Array, options: LoadOptions = {}): Promise<{ graph: Graph; source: string; path?: string }> {
  let bytes: Uint8Array;
  let path: string | undefined;
  if (typeof pathOrBytes === 'string') {
    path = resolveModel(pathOrBytes, options.modelDir);
    const file = await readFile(path);
    bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  } else {
    bytes = pathOrBytes;
  }
  const source = path ?? `<${bytes.length} bytes>`;
  const graph = await graphFromBytes(bytes, source, {
    expected: 'a .tflite flatbuffer, a TF.js model.json, a PyTorch checkpoint or a kNN head JSON',
    async read(b) {
      const { loaders } = await import('./loaders.js');
      return loaders.find((l) => l.detect(b))?.load(b, source, path, options);
    },
  }, path !== undefined);
  attachLabels(graph, path, options.labels);
  return { graph, source, path };
}

/** Loads a model by zoo name, path or bytes, ready to classify. */
export async function loadModel(pathOrBytes: string | Uint8Array, options: LoadOptions = {}): Promise<Model> {
  const { graph, source } = await loadGraph(pathOrBytes, options);
  return new Model({ graph, source, session: options.session });
}

function attachLabels(graph: Graph, path: string | undefined, labelsPath: string | undefined): void {
  const out = graph.tensors[graph.outputs[0]!];
  const classes = out ? numElements(out.shape) : 0;
  const file = labelsPath ?? (graph.meta.labels ? undefined : path && findLabelsFile(path));
  if (!file) return;
  const labels = readLabelsFile(file);
  const fitted = fitLabels(labels, classes);
  if (!fitted) {
    if (labelsPath) {
      throw new ModelFormatError(`labels file '${labelsPath}' has ${labels.length} labels but the model outputs ${classes} classes`);
    }
    return;
  }
  graph.meta.labels = fitted;
}
