/**
 * Rounds `v` to the nearest multiple of `divisor` (at least `minValue`), never going down by more than 10%.
 * TF-slim's and torchvision's `_make_divisible`.
 */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  let out = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

/** TF-slim MobileNetV1's `depth(d) = max(int(d * alpha), min_depth)` with min_depth 8. */
export function depthV1(d: number, alpha: number, minDepth = 8): number {
  return Math.max(Math.trunc(d * alpha), minDepth);
}
