import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResizeConvention } from '../graph/index.js';
import { ImageError, MobilenetError, UnsupportedError } from '../errors.js';
import { decodeImage } from '../formats/image/index.js';
import type { RgbImage } from '../formats/image/index.js';
import type { Model } from './model.js';
import { embedInput, l2Normalize } from './embed.js';
import { EmbeddingCache, defaultCacheDir, sha256Hex } from './embed_cache.js';
import { backboneIdentity } from './identity.js';
import { seedOf } from '../graph/random.js';
import { applyAugmentation, describeAugmentation, randomAugmentations } from './augment.js';

/** Options of {@link embedFiles}. */
export interface EmbedFilesOptions {
  /** L2-normalise every vector (default false). */
  normalize?: boolean;
  /** Overrides the model's crop/resize convention. */
  resize?: ResizeConvention;
  /** Largest width·height decoded (default: the decoder's 50 MP); larger images are skipped. */
  maxPixels?: number;
  /** Cache folder, or false for none (default {@link defaultCacheDir}). */
  cache?: string | false;
  /** Augmented copies per image (random crops and mirrors of the decoded image), besides the original. Default 0. */
  augment?: number;
  /** Seed of the augmentations (default 0). */
  seed?: number;
  /** Called after each file. */
  onProgress?: (done: number, total: number, path: string) => void;
}

/** Feature vectors of one file: the original first, then its augmented copies. */
export interface FileVectors {
  path: string;
  vectors: Float32Array[];
}

/** Result of {@link embedFiles}. */
export interface EmbedFilesResult {
  files: FileVectors[];
  /** Files that could not be used (not an image, corrupt, over the pixel limit), with the reason. */
  skipped: { path: string; error: string }[];
  cacheHits: number;
  cacheMisses: number;
}

/**
 * Every non-hidden file under the given paths: folders are walked recursively in name order,
 * files are taken as given.
 * @throws MobilenetError for a path that does not exist.
 */
export async function listFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let s;
    try {
      s = await stat(p);
    } catch {
      throw new MobilenetError(`'${p}' not found`);
    }
    if (s.isDirectory()) await walk(p, out);
    else out.push(p);
  }
  return out;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/**
 * Feature vectors of image files, through an on-disk cache keyed by the image bytes, the model file and the
 * preprocessing (so an unchanged image is embedded once). Files that are not decodable images, or exceed the
 * pixel limit, are skipped and reported, not thrown.
 */
export async function embedFiles(model: Model, paths: string[], options: EmbedFilesOptions = {}): Promise<EmbedFilesResult> {
  const id = await backboneIdentity(model);
  const cache = options.cache !== false && id.sha256 ? new EmbeddingCache(options.cache ?? defaultCacheDir(), { ...id, sha256: id.sha256 }) : undefined;
  const resizeKey = JSON.stringify(options.resize ?? model.graph.meta.resize ?? 'model-default');
  const copies = options.augment ?? 0;
  const files: FileVectors[] = [];
  const skipped: EmbedFilesResult['skipped'] = [];
  let done = 0;
  for (const path of paths) {
    try {
      const vectors = await embedOne(path);
      if (options.normalize) vectors.forEach(l2Normalize);
      files.push({ path, vectors });
    } catch (e) {
      if (!(e instanceof ImageError || e instanceof UnsupportedError)) throw e;
      skipped.push({ path, error: e.message });
    }
    options.onProgress?.(++done, paths.length, path);
  }
  return { files, skipped, cacheHits: cache?.hits ?? 0, cacheMisses: cache?.misses ?? 0 };

  async function embedOne(path: string): Promise<Float32Array[]> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new ImageError(`image '${path}': cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const sha = sha256Hex(bytes);
    const augs = randomAugmentations(copies, seedOf(`${options.seed ?? 0}/${sha}`));
    const views = [undefined, ...augs];
    const keys = views.map((a) => cache?.key(sha, `resize=${resizeKey};${a ? describeAugmentation(a) : 'original'}`));
    const out = keys.map((k) => (k && cache ? cache.get(k, id.dim) : undefined));
    if (out.every((v) => v)) return out as Float32Array[];
    let rgb: RgbImage | undefined;
    for (let i = 0; i < views.length; i++) {
      if (out[i]) continue;
      rgb ??= await decodeImage(bytes, { name: path, maxPixels: options.maxPixels });
      const a = views[i];
      const input = await model.preprocess(a ? applyAugmentation(rgb, a) : rgb, options.resize);
      const v = embedInput(model, input);
      if (cache && keys[i]) cache.set(keys[i]!, v);
      out[i] = v;
    }
    return out as Float32Array[];
  }
}
