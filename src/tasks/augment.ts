import type { RgbImage } from '../formats/image/index.js';
import { mulberry32 } from '../graph/random.js';

/** One augmented view of an image: a crop (fractions of the width/height) and an optional mirror. */
export interface Augmentation {
  flip: boolean;
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * `count` random views for one image, from a seed: each keeps 70–100 % of each side (aspect kept) at a random
 * position, and is mirrored left-right with probability 1/2.
 */
export function randomAugmentations(count: number, seed: number): Augmentation[] {
  const rnd = mulberry32(seed);
  const out: Augmentation[] = [];
  for (let i = 0; i < count; i++) {
    const s = 0.7 + 0.3 * rnd();
    out.push({ flip: rnd() < 0.5, x: (1 - s) * rnd(), y: (1 - s) * rnd(), w: s, h: s });
  }
  return out;
}

/** Text identifying an augmentation (cache keys). */
export function describeAugmentation(a: Augmentation): string {
  const f = (v: number) => v.toFixed(6);
  return `crop=${f(a.x)},${f(a.y)},${f(a.w)},${f(a.h)};flip=${a.flip ? 1 : 0}`;
}

/** Applies a crop and mirror to decoded pixels (nearest pixel boundaries; at least 1×1). */
export function applyAugmentation(img: RgbImage, a: Augmentation): RgbImage {
  const x0 = Math.min(img.width - 1, Math.floor(a.x * img.width));
  const y0 = Math.min(img.height - 1, Math.floor(a.y * img.height));
  const w = Math.max(1, Math.min(img.width - x0, Math.round(a.w * img.width)));
  const h = Math.max(1, Math.min(img.height - y0, Math.round(a.h * img.height)));
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = x0 + (a.flip ? w - 1 - x : x);
      const s = ((y0 + y) * img.width + sx) * 3;
      const d = (y * w + x) * 3;
      data[d] = img.data[s]!;
      data[d + 1] = img.data[s + 1]!;
      data[d + 2] = img.data[s + 2]!;
    }
  }
  return { width: w, height: h, data };
}
