import { ModelFormatError } from '../../errors.js';
import type { NamedTensor } from '../named_tensor.js';
import { isTfjsLayersModelJson, parseTopology, type KerasLayer, type KerasModel } from './topology.js';
import { decodeGroup, parseManifest } from './weights.js';

/** A TF.js layers model: its Keras topology and its weights by manifest name (Keras layouts: HWIO, HWCM, [in,out]). */
export interface TfjsLayersModel {
  /** The `modelTopology` object as stored. */
  modelTopology: unknown;
  /** The parsed top-level model. */
  model: KerasModel;
  /** The top-level model's layers (nested models carry their own in `layer.model`). */
  layers: KerasLayer[];
  weights: Map<string, NamedTensor>;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  /** `userDefinedMetadata` (Teachable Machine puts its labels in a separate metadata.json). */
  userDefinedMetadata?: unknown;
}

/** Where to read a model from: a model.json path (Node), or the parsed JSON and a shard loader. */
export type TfjsModelSource = string | { json: unknown; loadShard: (path: string) => Promise<Uint8Array>; source?: string };

/**
 * Reads a TF.js layers model (model.json and its weight shards).
 * @throws ModelFormatError for a JSON that is not a layers model, a missing or wrongly sized shard,
 *   or a weight of unsupported dtype.
 */
export async function readTfjsLayersModel(src: TfjsModelSource): Promise<TfjsLayersModel> {
  const { json, loadShard, source } = typeof src === 'string' ? await fromPath(src) : { source: 'model.json', ...src };
  if (!isTfjsLayersModelJson(json)) {
    const fmt = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
    throw new ModelFormatError(
      `${source}: not a TF.js layers model` + (fmt ? ` (format "${String(fmt)}")` : ' (no Keras modelTopology)'),
    );
  }
  const j = json as Record<string, unknown>;
  const model = parseTopology(j.modelTopology, source);
  const groups = parseManifest(j.weightsManifest ?? [], source);
  const weights = new Map<string, NamedTensor>();
  for (const g of groups) {
    const shards = await Promise.all(
      g.paths.map(async (p) => {
        try {
          return await loadShard(p);
        } catch (err) {
          throw new ModelFormatError(`${source}: cannot read weight shard "${p}": ${(err as Error).message}`);
        }
      }),
    );
    decodeGroup(g, shards, source, weights);
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    modelTopology: j.modelTopology,
    model,
    layers: model.layers,
    weights,
    format: str(j.format),
    generatedBy: str(j.generatedBy),
    convertedBy: str(j.convertedBy),
    userDefinedMetadata: j.userDefinedMetadata,
  };
}

async function fromPath(path: string): Promise<{ json: unknown; loadShard: (p: string) => Promise<Uint8Array>; source: string }> {
  if (/^https?:\/\//.test(path)) {
    const base = new URL('.', path);
    const res = await fetch(path);
    if (!res.ok) throw new ModelFormatError(`${path}: HTTP ${res.status}`);
    return {
      json: await res.json(),
      source: path,
      loadShard: async (p) => {
        const r = await fetch(new URL(p, base));
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return new Uint8Array(await r.arrayBuffer());
      },
    };
  }
  const { readFile } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelFormatError(`${path}: cannot read: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError(`${path}: invalid JSON: ${(err as Error).message}`);
  }
  const dir = dirname(path);
  return { json, source: path, loadShard: async (p) => new Uint8Array(await readFile(join(dir, p))) };
}
