import type { Model } from './model.js';
import { featureInfo } from './embed.js';
import { ZOO } from '../models/zoo.js';

/** What identifies the backbone that produced feature vectors. */
export interface BackboneIdentity {
  /** sha256 (hex) of the model file; undefined when the model has no file (built in code, loaded from bytes). */
  sha256?: string;
  /** Zoo name when the file is a zoo model's, else the file name. */
  name: string;
  /** Index and name of the feature tensor, and the vector length. */
  featureTensor: number;
  featureName: string;
  dim: number;
}

const known = new WeakMap<Model, Promise<BackboneIdentity>>();

/** The identity of a model as a feature extractor (the file is hashed once per Model). */
export function backboneIdentity(model: Model): Promise<BackboneIdentity> {
  let p = known.get(model);
  if (!p) {
    p = compute(model);
    known.set(model, p);
  }
  return p;
}

async function compute(model: Model): Promise<BackboneIdentity> {
  const f = featureInfo(model);
  const src = model.source.replace(/\\/g, '/');
  const zoo = ZOO.find((e) => e.files.some((file) => src.endsWith('/' + file)));
  const name = zoo?.name ?? src.slice(src.lastIndexOf('/') + 1);
  return { sha256: await fileSha256(model.source), name, featureTensor: f.tensor, featureName: f.name, dim: f.dim };
}

async function fileSha256(path: string): Promise<string | undefined> {
  if (path.startsWith('<')) return undefined;
  try {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(path);
    const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return undefined;
  }
}
