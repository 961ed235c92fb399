import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BackboneIdentity } from './identity.js';

/** sha256 of bytes as hex. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The cache folder: `$MOBILENET_CACHE/embeddings`, else `~/.cache/mobilenet-ts/embeddings`. */
export function defaultCacheDir(): string {
  const env = process.env.MOBILENET_CACHE;
  return env ? join(env, 'embeddings') : join(homedir(), '.cache', 'mobilenet-ts', 'embeddings');
}

/**
 * A store of feature vectors on disk, one small file per vector: `<dir>/<k[0..2]>/<k>.f32` holding the raw
 * float32 little-endian values, k = sha256 of (image sha256, model identity, preprocessing description).
 * Vectors are stored before L2 normalisation. Writes go to a temporary file renamed into place.
 */
export class EmbeddingCache {
  hits = 0;
  misses = 0;

  private readonly modelKey: string;

  /** A cache for vectors of one backbone (which must have a file sha256). */
  constructor(
    readonly dir: string,
    backbone: BackboneIdentity & { sha256: string },
  ) {
    this.modelKey = `${backbone.sha256}/${backbone.featureTensor}/${backbone.featureName}`;
  }

  /** The entry key for image bytes and a preprocessing description (resize convention, augmentation). */
  key(imageSha256: string, preprocessing: string): string {
    return sha256Hex(`mobilenet-ts/embedding/v1\n${imageSha256}\n${this.modelKey}\n${preprocessing}`);
  }

  /** The cached vector, or undefined (a file of the wrong length counts as absent). */
  get(key: string, dim: number): Float32Array | undefined {
    try {
      const b = readFileSync(this.path(key));
      if (b.length !== dim * 4) {
        this.misses++;
        return undefined;
      }
      const v = new Float32Array(dim);
      new Uint8Array(v.buffer).set(b);
      this.hits++;
      return v;
    } catch {
      this.misses++;
      return undefined;
    }
  }

  /** Stores a vector; failures to write (read-only disk) are ignored: the cache is an optimisation. */
  set(key: string, v: Float32Array): void {
    const p = this.path(key);
    try {
      mkdirSync(dirname(p), { recursive: true });
      const tmp = `${p}.${process.pid}.tmp`;
      writeFileSync(tmp, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      renameSync(tmp, p);
    } catch {
      // not cached
    }
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.f32`);
  }
}
