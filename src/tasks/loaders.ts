import { dirname, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { ModelFormatError } from '../errors.js';
import type { Graph } from '../graph/index.js';
import { readTorchCheckpoint } from '../formats/pytorch/index.js';
import { isTfjsLayersModelJson, readTfjsLayersModel, tfjsLayersToGraph } from '../formats/tfjs/index.js';
import { graphFromTorchvisionStateDict } from '../models/torchvision.js';
import { isKnnJson } from './knn.js';
import { parseJsonObject } from '../formats/json_object.js';

/** A model-file format other than TFLite, recognised by content. */
export interface Loader {
  name: string;
  detect(bytes: Uint8Array): boolean;
  load(bytes: Uint8Array, source: string, path: string | undefined, options: { resolution?: number }): Promise<Graph>;
}

const tfjs: Loader = {
  name: 'TF.js layers model',
  detect: (bytes) => isTfjsLayersModelJson(parseJsonObject(bytes)),
  async load(bytes, source, path) {
    const json = parseJsonObject(bytes);
    if (!path) throw new ModelFormatError(`TF.js model '${source}': weight shards can only be found beside a model.json file path`);
    const dir = dirname(path);
    const model = await readTfjsLayersModel({
      json,
      source,
      loadShard: async (p) => {
        try {
          return new Uint8Array(await readFile(join(dir, p)));
        } catch (e) {
          throw new ModelFormatError(`TF.js model '${source}': cannot read weight shard '${p}' (${(e as Error).message})`);
        }
      },
    });
    return tfjsLayersToGraph(model);
  },
};

const pytorch: Loader = {
  name: 'PyTorch checkpoint',
  // zip container ("PK\x03\x04") or legacy pickle (PROTO opcode 0x80)
  detect: (b) => (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) || b[0] === 0x80,
  async load(bytes, source, _path, options) {
    const ckpt = readTorchCheckpoint(bytes, source);
    return graphFromTorchvisionStateDict(ckpt.stateDict, source, options.resolution);
  },
};

const knnHead: Loader = {
  name: 'kNN classifier head',
  detect: isKnnJson,
  async load(_bytes, source) {
    throw new ModelFormatError(`model '${source}' is a kNN classifier head (mobilenet-ts-knn), not a graph: use it with classify (loadClassifier)`);
  },
};

/** Formats tried in order after TFLite. */
export const loaders: Loader[] = [tfjs, pytorch, knnHead];
