/**
 * For numpy-style broadcasting of `a` and `b` to `out`: the flat index into `a` and `b` of every
 * output element, or null when the operand already has the output's shape.
 */
export function broadcastIndices(
  a: readonly number[],
  b: readonly number[],
  out: readonly number[],
): { ia: Int32Array | null; ib: Int32Array | null } {
  return { ia: indexMap(a, out), ib: indexMap(b, out) };
}

function indexMap(s: readonly number[], out: readonly number[]): Int32Array | null {
  const n = out.length;
  const padded = [...new Array<number>(n - s.length).fill(1), ...s];
  if (padded.every((d, i) => d === out[i])) return null;
  // Strides of the operand, 0 along broadcast axes.
  const strides = new Array<number>(n).fill(0);
  let acc = 1;
  for (let i = n - 1; i >= 0; i--) {
    strides[i] = padded[i] === 1 ? 0 : acc;
    acc *= padded[i]!;
  }
  let total = 1;
  for (const d of out) total *= d;
  const map = new Int32Array(total);
  const idx = new Array<number>(n).fill(0);
  let off = 0;
  for (let k = 0; k < total; k++) {
    map[k] = off;
    for (let i = n - 1; i >= 0; i--) {
      idx[i]!++;
      off += strides[i]!;
      if (idx[i]! < out[i]!) break;
      off -= strides[i]! * out[i]!;
      idx[i] = 0;
    }
  }
  return map;
}
