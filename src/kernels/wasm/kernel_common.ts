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

/**
 * Scratch per task slot, shared by every kernel of a session (nodes run one after the other): each kernel reserves
 * the bytes it needs at prepare time and reads the address at run time. Reserving more than the current size
 * replaces the regions (the old ones stay allocated; sizes grow by doubling, so at most as much again is wasted).
 */
export class TaskScratch {
  private bytes = 0;
  private regions: number[] = [];
  constructor(private readonly w: WasmContext) {}
  /** Makes every task slot's region at least `bytes` long. */
  reserve(bytes: number): void {
    if (bytes <= this.bytes) return;
    let size = Math.max(this.bytes * 2, 65536);
    while (size < bytes) size *= 2;
    this.bytes = size;
    this.regions = Array.from({ length: this.w.runner.maxTasks }, () => this.w.heap.alloc(size));
  }
  /** Address of task t's region. */
  addr(t: number): number {
    return this.regions[t]!;
  }
}

const scratchOf = new WeakMap<WasmContext, TaskScratch>();

/** The task scratch of a session's WASM context. */
export function taskScratch(w: WasmContext): TaskScratch {
  let s = scratchOf.get(w);
  if (!s) scratchOf.set(w, (s = new TaskScratch(w)));
  return s;
}
