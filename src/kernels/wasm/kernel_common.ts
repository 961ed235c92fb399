import { UnsupportedError } from '../../errors.js';
import type { Graph, Node, TypedArray } from '../../graph/index.js';
import { nodeLabel } from '../common.js';
import type { KernelContext } from '../kernel.js';
import type { ParallelRunner, WasmContext } from './context.js';

/** Kernel exports as plain functions of numbers. */
export type ExportFns = Record<string, (...a: number[]) => number>;

/** The WASM context of a prepare call, or an error naming the node. */
export function needWasm(ctx: KernelContext | undefined, node: Node): WasmContext {
  if (!ctx?.wasm) throw new UnsupportedError(`${nodeLabel(node)}: WASM kernel prepared without a WASM runtime`);
  return ctx.wasm;
}

/** The export functions of a context. */
export function fns(w: WasmContext): ExportFns {
  return w.kernels.exports as unknown as ExportFns;
}

/** True when the tensors exist and are computed (not constants), so they live in the arena. */
export function computed(g: Graph, indices: readonly number[]): boolean {
  return indices.every((i) => i >= 0 && g.tensors[i] !== undefined && !g.tensors[i]!.data);
}

/** True when every entry equals the first. */
export function uniform(a: ArrayLike<number>): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return false;
  return true;
}

/** Address of a view of linear memory. */
export function addr(v: TypedArray | null): number {
  return v ? v.byteOffset : 0;
}

/** A per-node slice plan: the task runner, the export index and the number of tasks. */
export interface Tasks {
  runner: ParallelRunner;
  fn: number;
  n: number;
}

/** Tasks of export `name` for work of `units` splittable units (at most one task per unit). */
export function tasks(w: WasmContext, name: string, units: number): Tasks {
  return { runner: w.runner, fn: w.runner.fnIndex(name), n: Math.max(1, Math.min(w.runner.maxTasks, units)) };
}
