import type { Graph } from '../graph/index.js';
import { bytesPerElement, numElements } from '../graph/index.js';

/** Elementwise ops whose kernels (reference and WASM) read each element before writing it: the output may take the
 * memory of an input of its own shape that nothing reads afterwards. */
const ELEMENTWISE = new Set(['ADD', 'SUB', 'MUL', 'RELU', 'RELU6', 'HARD_SWISH', 'LOGISTIC', 'QUANTIZE', 'DEQUANTIZE']);

/**
 * Output → input pairs of elementwise nodes that can run in place, given the tensors that must keep their values
 * (`keep`: fetched tensors) and the aliases already decided (`alias`: shape-only ops). Graph inputs and outputs are
 * never overwritten.
 */
export function inPlaceAliases(g: Graph, keep: readonly number[], alias: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  const root = (t: number): number => {
    for (;;) {
      const next = alias.get(t) ?? out.get(t);
      if (next === undefined) return t;
      t = next;
    }
  };
  const lastUse = new Map<number, number>();
  g.nodes.forEach((node, i) => {
    for (const t of node.inputs) if (t >= 0) lastUse.set(t, i);
  });
  const pinned = new Set([...g.inputs, ...g.outputs, ...keep].map(root));
  /** The tensors sharing each root's memory. */
  const members = new Map<number, number[]>();
  const group = (r: number): number[] => {
    let m = members.get(r);
    if (!m) members.set(r, (m = []));
    return m;
  };
  for (let t = 0; t < g.tensors.length; t++) group(root(t)).push(t);
  g.nodes.forEach((node, i) => {
    const y = node.outputs[0]!;
    const yt = g.tensors[y]!;
    if (!ELEMENTWISE.has(node.op) || node.outputs.length !== 1 || alias.has(y) || pinned.has(y)) return;
    const bytes = numElements(yt.shape) * bytesPerElement(yt.dtype);
    for (const x of node.inputs) {
      if (x < 0) continue;
      const xt = g.tensors[x]!;
      const r = root(x);
      if (xt.data || g.tensors[r]!.data || pinned.has(r)) continue;
      if (xt.shape.length !== yt.shape.length || xt.shape.some((d, k) => d !== yt.shape[k])) continue;
      if (numElements(xt.shape) * bytesPerElement(xt.dtype) !== bytes) continue;
      if (group(r).some((t) => (lastUse.get(t) ?? -1) > i)) continue;
      out.set(y, x);
      group(r).push(...group(y));
      return;
    }
  });
  return out;
}
