import type { Tensor, TypedArray } from '../graph/index.js';

/** Dequantises an output tensor to float32 (a float tensor is copied as is). */
export function dequantize(t: Tensor, data: TypedArray): Float32Array {
  const out = new Float32Array(data.length);
  if (t.dtype === 'float32') {
    out.set(data as Float32Array);
    return out;
  }
  if (data instanceof BigInt64Array) throw new Error(`cannot dequantise int64 tensor '${t.name}'`);
  const scale = t.quant?.scale[0] ?? 1;
  const zp = t.quant?.zeroPoint[0] ?? 0;
  for (let i = 0; i < data.length; i++) out[i] = scale * ((data[i] as number) - zp);
  return out;
}

/** Numerically stable softmax. */
export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Indices of the k largest scores, best first (ties: lower index first). */
export function topKIndices(scores: ArrayLike<number>, k: number, keep?: (i: number) => boolean): number[] {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!keep || keep(i)) idx.push(i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx.slice(0, Math.max(0, k));
}

/**
 * The best predictions: top-k by score, above the threshold, within the allow/deny lists (labels or indices);
 * the "background" class of 1001-class ImageNet label lists is never returned.
 */
export function topPredictions(
  scores: ArrayLike<number>,
  options: { topK?: number; scoreThreshold?: number; allowlist?: (string | number)[]; denylist?: (string | number)[] },
  labelOf: (index: number) => string,
  labels?: readonly string[],
): { index: number; label: string; score: number }[] {
  const match = (list: (string | number)[], i: number) => list.some((x) => (typeof x === 'number' ? x === i : x === labelOf(i)));
  const background = labels?.[0] === 'background' && labels.length === 1001;
  const keep = (i: number) =>
    !(background && i === 0) && !(options.allowlist && !match(options.allowlist, i)) && !(options.denylist && match(options.denylist, i));
  const threshold = options.scoreThreshold ?? 0;
  return topKIndices(scores, options.topK ?? 5, keep)
    .filter((i) => scores[i]! >= threshold)
    .map((index) => ({ index, label: labelOf(index), score: scores[index]! }));
}
