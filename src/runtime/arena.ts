import type { Graph } from '../graph/index.js';
import { bytesPerElement, numElements } from '../graph/index.js';

/** Byte alignment of every tensor in the arena (enough for SIMD loads and any element type). */
export const ARENA_ALIGN = 16;

/** Where each activation tensor lives in one shared buffer. */
export interface ArenaPlan {
  /** Byte offset per tensor index; -1 for constants and unused tensors. */
  offsets: Int32Array;
  /** Total bytes needed. */
  size: number;
}

interface Interval {
  tensor: number;
  bytes: number;
  first: number;
  last: number;
}

/**
 * Plans offsets for the activation tensors of `graph` (shapes inferred), greedily by size: each tensor
 * takes the lowest aligned offset not overlapping a tensor alive at the same time. Graph inputs are live
 * from the start, graph outputs and `keep` tensors until the end. `alias` maps a tensor to the tensor whose memory
 * it shares (a reshape's output to its input): both live as long as either.
 */
export function planArena(graph: Graph, keep: readonly number[] = [], alias: ReadonlyMap<number, number> = new Map()): ArenaPlan {
  const n = graph.nodes.length;
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const root = (t: number): number => {
    while (alias.has(t)) t = alias.get(t)!;
    return t;
  };
  const touch = (t0: number, step: number): void => {
    if (t0 < 0) return;
    const t = root(t0);
    if (graph.tensors[t]?.data) return;
    if (!first.has(t)) first.set(t, step);
    last.set(t, Math.max(last.get(t) ?? step, step));
  };
  for (const t of graph.inputs) touch(t, -1);
  graph.nodes.forEach((node, i) => {
    for (const t of node.outputs) touch(t, i);
    for (const t of node.inputs) touch(t, i);
  });
  for (const t of [...graph.outputs, ...keep]) touch(t, n);
  const intervals: Interval[] = [...first.keys()].map((t) => {
    const tensor = graph.tensors[t]!;
    const bytes = numElements(tensor.shape) * bytesPerElement(tensor.dtype);
    return { tensor: t, bytes: Math.ceil(bytes / ARENA_ALIGN) * ARENA_ALIGN, first: first.get(t)!, last: last.get(t)! };
  });
  intervals.sort((a, b) => b.bytes - a.bytes || a.first - b.first);
  const offsets = new Int32Array(graph.tensors.length).fill(-1);
  const placed: { off: number; end: number; first: number; last: number }[] = [];
  let size = 0;
  for (const iv of intervals) {
    const overlapping = placed
      .filter((p) => p.first <= iv.last && iv.first <= p.last)
      .sort((a, b) => a.off - b.off);
    let off = 0;
    for (const p of overlapping) {
      if (off + iv.bytes <= p.off) break;
      off = Math.max(off, p.end);
    }
    offsets[iv.tensor] = off;
    placed.push({ off, end: off + iv.bytes, first: iv.first, last: iv.last });
    size = Math.max(size, off + iv.bytes);
  }
  for (const t of alias.keys()) offsets[t] = offsets[root(t)]!;
  return { offsets, size };
}
