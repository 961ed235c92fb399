import { ShapeError, UnsupportedError } from '../../errors.js';
import type { TypedArray } from '../../graph/index.js';
import { WASM_EXTRA_BYTES } from './exports.js';
import type { WasmKernels } from './module.js';

/** Most int32 arguments of one task of {@link ParallelRunner.run}. */
export const TASK_ARGS = 16;

/**
 * Runs one kernel export for several tasks (slices of one op) at once, each with its own arguments, spread over the
 * calling thread and the workers. Arguments are written into reusable slots, so a run allocates nothing.
 */
export interface ParallelRunner {
  /** Threads taking part, the caller included. */
  readonly threads: number;
  /** Most tasks per run (1 for one thread; a few per thread otherwise, for balance). */
  readonly maxTasks: number;
  /** The argument slot of task t < maxTasks (TASK_ARGS int32), reused across runs. */
  args(t: number): Int32Array;
  /** Index of a kernel export for {@link run}. */
  fnIndex(name: string): number;
  /** Calls export `fn` once per task t < n with args(t); returns when every task is done. */
  run(fn: number, n: number): void;
}

/** Export names of a module that tasks can call (functions), in a stable order shared with the workers. */
export function taskFunctions(k: WasmKernels): string[] {
  return Object.keys(k.exports).filter((n) => typeof (k.exports as unknown as Record<string, unknown>)[n] === 'function').sort();
}

type Fn = (...a: number[]) => void;

/** The runner of one thread: tasks run one after the other on the caller. */
export class SerialRunner implements ParallelRunner {
  readonly threads = 1;
  readonly maxTasks = 1;
  private readonly names: string[];
  private readonly fns: Fn[];
  private readonly slots: Int32Array[] = [];
  constructor(k: WasmKernels) {
    this.names = taskFunctions(k);
    const e = k.exports as unknown as Record<string, Fn>;
    this.fns = this.names.map((n) => e[n]!);
  }
  args(t: number): Int32Array {
    while (this.slots.length <= t) this.slots.push(new Int32Array(TASK_ARGS));
    return this.slots[t]!;
  }
  fnIndex(name: string): number {
    const i = this.names.indexOf(name);
    if (i < 0) throw new ShapeError(`the WASM kernels have no export '${name}'`);
    return i;
  }
  run(fn: number, n: number): void {
    const f = this.fns[fn]!;
    for (let t = 0; t < n; t++) callTask(f, this.slots[t]!);
  }
}

/** Calls a kernel export with the arguments of a task slot (extra arguments are ignored by WebAssembly). */
export function callTask(f: Fn, a: Int32Array): void {
  f(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!);
}

/** Bump allocator over the kernels' linear memory; lives as long as the session that owns the memory. */
export class WasmHeap {
  private top: number;
  constructor(readonly k: WasmKernels) {
    this.top = k.heapBase;
  }
  /** First free byte. */
  get end(): number {
    return this.top;
  }
  /** A 16-byte aligned block of `bytes` followed by WASM_EXTRA_BYTES of readable slack; grows the memory. */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = Math.ceil((p + bytes + WASM_EXTRA_BYTES) / 16) * 16;
    const need = this.top - this.k.memory.buffer.byteLength;
    if (need > 0) {
      try {
        this.k.memory.grow(Math.ceil(need / 65536));
      } catch (e) {
        this.top = p;
        throw new UnsupportedError(`the WebAssembly memory cannot grow to ${p + bytes} bytes (${String(e)})`);
      }
    }
    return p;
  }
  /** Frees every block allocated since `end` was `mark` (temporaries of a prepare). */
  release(mark: number): void {
    this.top = mark;
  }
  /** Copies an array into a new block; returns its address. */
  put(a: TypedArray): number {
    const p = this.alloc(a.byteLength);
    new Uint8Array(this.k.memory.buffer, p, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return p;
  }
}

/** What WASM kernels get at prepare time: the module, a heap in its memory and the runner of their tasks. */
export interface WasmContext {
  kernels: WasmKernels;
  heap: WasmHeap;
  runner: ParallelRunner;
}

/** Contiguous share [start, end) of `total` items for task t of n, in multiples of `align` items. */
export function share(total: number, n: number, t: number, align = 1): [number, number] {
  const units = Math.ceil(total / align);
  const a = Math.floor((units * t) / n) * align;
  const b = Math.floor((units * (t + 1)) / n) * align;
  return [Math.min(a, total), Math.min(b, total)];
}
