import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MobilenetError } from '../errors.js';
import { modelSearchPath, resolveModel } from '../models/zoo.js';
import type { ClassifyOptions, ImageInput, Model, Prediction } from './model.js';
import type { LoadOptions } from './load.js';
import { loadModel } from './load.js';
import { embed, embedInput } from './embed.js';
import type { ResizeConvention, TypedArray } from '../graph/index.js';
import { KnnClassifier, isKnnJson, parseKnnJson } from './knn.js';
import type { LinearHead } from './softmax_head.js';
import { predictLinear } from './softmax_head.js';
import { topPredictions } from './scores.js';

/** Anything that classifies images: a {@link Model}, a {@link KnnClassifier}, a {@link LinearClassifier}. */
export interface Classifier {
  /** Where it came from. */
  readonly source: string;
  /** Class labels in score order, when known. */
  readonly labels: string[] | undefined;
  /** Class probabilities (or vote shares) for one image, optionally with another crop/resize convention. */
  scores(image: ImageInput, resize?: ResizeConvention): Promise<Float32Array>;
  /** Class scores for a raw input tensor of the (backbone) model. */
  scoresForInput(input: TypedArray): Float32Array;
  /** The model whose input tensor this classifier takes. */
  readonly backbone: Model;
  /** The top predictions for one image. */
  classify(image: ImageInput, options?: ClassifyOptions): Promise<Prediction[]>;
  /** The label of a class index. */
  labelOf(index: number): string;
}

/** A trained softmax head over a backbone's feature vectors. */
export class LinearClassifier implements Classifier {
  constructor(
    readonly model: Model,
    readonly head: LinearHead,
  ) {}

  get source(): string {
    return `softmax head over ${this.model.source}`;
  }

  get labels(): string[] {
    return this.head.labels;
  }

  get backbone(): Model {
    return this.model;
  }

  async scores(image: ImageInput, resize?: ResizeConvention): Promise<Float32Array> {
    return predictLinear(this.head, await embed(this.model, image, { resize }));
  }

  scoresForInput(input: TypedArray): Float32Array {
    return predictLinear(this.head, embedInput(this.model, input));
  }

  async classify(image: ImageInput, options: ClassifyOptions = {}): Promise<Prediction[]> {
    const s = await this.scores(image, options.resize);
    return topPredictions(s, options, (i) => this.labelOf(i), this.head.labels);
  }

  labelOf(index: number): string {
    return this.head.labels[index] ?? String(index);
  }
}

/** Options of {@link loadClassifier}. */
export interface LoadClassifierOptions extends LoadOptions {
  /** Backbone model (name or path) of a kNN head, instead of the one the head names. */
  backbone?: string;
}

/**
 * Loads a model file or zoo name as a classifier: a kNN head JSON becomes a {@link KnnClassifier} over its
 * backbone (found by name next to the head or in the model directories, checked by sha256), anything else a
 * {@link Model}.
 */
export async function loadClassifier(nameOrPath: string, options: LoadClassifierOptions = {}): Promise<Classifier> {
  const path = resolveModel(nameOrPath, options.modelDir);
  if (path.toLowerCase().endsWith('.json')) {
    const bytes = new Uint8Array(await readFile(path));
    if (isKnnJson(bytes)) {
      const j = parseKnnJson(new TextDecoder().decode(bytes), `kNN head '${path}'`);
      const backbone = await loadModel(options.backbone ?? findBackbone(j.backbone, path, options.modelDir), options);
      return KnnClassifier.load(j, backbone, `kNN head '${path}'`);
    }
  }
  return loadModel(path, options);
}

function findBackbone(b: { name: string; sha256: string | null }, headPath: string, modelDir: string | undefined): string {
  try {
    return resolveModel(b.name, modelDir);
  } catch {
    // not a zoo name: a file name
  }
  const dirs = [dirname(headPath), ...modelSearchPath(modelDir)];
  for (const d of dirs) {
    const p = join(d, b.name);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  throw new MobilenetError(
    `kNN head '${headPath}': its backbone '${b.name}' (sha256 ${b.sha256 ?? 'unknown'}) was not found next to it or in ${dirs.join(', ')}; pass --backbone FILE`,
  );
}
