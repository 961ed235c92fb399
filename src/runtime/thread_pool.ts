import { UnsupportedError } from '../errors.js';
import { callTask, TASK_ARGS, taskFunctions, type ParallelRunner, type WasmHeap } from '../kernels/wasm/context.js';
import type { WasmKernels } from '../kernels/wasm/module.js';
import {
  controlInts, CTL_ARGS, CTL_DONE, CTL_ERROR, CTL_FN, CTL_GENERATION, CTL_NEXT, CTL_READY, CTL_STOP, CTL_TASKS,
  maxTasks, SPIN, taskTag, TASKS_EXHAUSTED, type WorkerInit,
} from './thread_control.js';
import { threadHost, type ThreadHandle } from './thread_host.js';

/** Stack of each worker's WebAssembly instance (the caller's is the module's own first 64 KiB). */
const WORKER_STACK = 65536;
/** How long to wait for the workers to start. */
const START_TIMEOUT_MS = 10000;

type Fn = (...a: number[]) => void;

/** Start-ups of pools whose workers could not be waited for synchronously (browsers), until they settle. */
const starting = new Set<Promise<void>>();
/** Workers started by this thread's pools and not stopped. */
let running = 0;

/**
 * Resolves when the workers of every pool created on this thread have started, with how many workers this thread's
 * pools now run; rejects with the first start that failed. In a browser, workers start only once their creator
 * returns to its event loop, so a pool is usable at once (the caller takes every task a missing worker would) but
 * at full speed only after this.
 */
export async function threadsStarted(): Promise<number> {
  await Promise.all([...starting]);
  return running;
}

/**
 * `threads - 1` workers (Node worker threads or browser Web Workers, see thread_host.ts), each with its own instance
 * of the kernel module on the shared memory. A dispatch publishes the export and task arguments on a control block
 * and wakes the workers; then every thread, the caller included, takes tasks with an atomic counter until none is
 * left, and the caller waits for the last one. Node workers are waited for here; browser workers start later (see
 * {@link threadsStarted}).
 */
export class ThreadPool implements ParallelRunner {
  readonly threads: number;
  readonly maxTasks: number;
  private readonly ctl: Int32Array;
  private readonly slots: Int32Array[];
  private readonly names: string[];
  private readonly fns: Fn[];
  private readonly workers: ThreadHandle[] = [];
  private disposed = false;
  private started = false;

  constructor(k: WasmKernels, heap: WasmHeap, threads: number) {
    if (!k.shared) throw new UnsupportedError('threads need the shared-memory build of the kernels');
    this.threads = threads;
    this.maxTasks = maxTasks(threads);
    const control = heap.alloc(controlInts(threads) * 4);
    this.ctl = new Int32Array(k.memory.buffer, control, controlInts(threads));
    this.ctl.fill(0);
    this.slots = Array.from({ length: this.maxTasks }, (_, t) =>
      this.ctl.subarray(CTL_ARGS + t * TASK_ARGS, CTL_ARGS + (t + 1) * TASK_ARGS));
    this.names = taskFunctions(k);
    const e = k.exports as unknown as Record<string, Fn>;
    this.fns = this.names.map((n) => e[n]!);
    const host = threadHost();
    let failure: unknown;
    for (let i = 1; i < threads; i++) {
      const stackTop = heap.alloc(WORKER_STACK) + WORKER_STACK;
      const init: WorkerInit = { module: k.module, memory: k.memory, flavor: k.flavor, control, threads, index: i, stackTop };
      this.workers.push(host.spawn(init, (e) => { failure ??= e; }));
    }
    const t0 = Date.now();
    /** Whether all have started; throws (after stopping them) on a failure or the time-out. */
    const allStarted = (): boolean => {
      const ready = Atomics.load(this.ctl, CTL_READY);
      if (this.disposed) return true;
      if (ready === threads - 1) {
        if (!this.started) running += threads - 1;
        this.started = true;
        return true;
      }
      if (failure === undefined && Date.now() - t0 <= START_TIMEOUT_MS) return false;
      this.dispose();
      throw new UnsupportedError(`worker threads did not start (${ready} of ${threads - 1} ready)${failure ? `: ${String(failure)}` : ''}`);
    };
    if (host.kind === 'node') {
      while (!allStarted()) Atomics.wait(this.ctl, CTL_READY, Atomics.load(this.ctl, CTL_READY), 50);
      return;
    }
    const started = new Promise<void>((resolve, reject) => {
      const poll = (): void => {
        try {
          if (allStarted()) resolve();
          else setTimeout(poll, 5);
        } catch (e) {
          reject(e);
        }
      };
      poll();
    });
    starting.add(started);
    const settle = (): void => void starting.delete(started);
    started.then(settle, settle);
  }

  args(t: number): Int32Array {
    return this.slots[t]!;
  }

  fnIndex(name: string): number {
    const i = this.names.indexOf(name);
    if (i < 0) throw new UnsupportedError(`the WASM kernels have no export '${name}'`);
    return i;
  }

  run(fn: number, n: number): void {
    const f = this.fns[fn]!;
    if (n <= 1 || this.disposed) {
      for (let t = 0; t < n; t++) callTask(f, this.slots[t]!);
      return;
    }
    const ctl = this.ctl;
    // The task counter is first moved to the next dispatch's tag, exhausted, so a late worker of the previous
    // dispatch takes nothing; then export, count and the counters are published, then the generation.
    const tag = taskTag(Atomics.load(ctl, CTL_GENERATION) + 1);
    Atomics.store(ctl, CTL_NEXT, tag + TASKS_EXHAUSTED);
    Atomics.store(ctl, CTL_FN, fn);
    Atomics.store(ctl, CTL_TASKS, n);
    Atomics.store(ctl, CTL_DONE, 0);
    Atomics.store(ctl, CTL_NEXT, tag);
    Atomics.add(ctl, CTL_GENERATION, 1);
    Atomics.notify(ctl, CTL_GENERATION);
    for (;;) {
      const t = Atomics.add(ctl, CTL_NEXT, 1) - tag;
      if (t >= n) break;
      callTask(f, this.slots[t]!);
      Atomics.add(ctl, CTL_DONE, 1);
    }
    let done = Atomics.load(ctl, CTL_DONE);
    for (let i = 0; done < n && i < SPIN; i++) done = Atomics.load(ctl, CTL_DONE);
    while (done < n) {
      Atomics.wait(ctl, CTL_DONE, done, 1);
      done = Atomics.load(ctl, CTL_DONE);
    }
    if (Atomics.load(ctl, CTL_ERROR) !== 0) {
      Atomics.store(ctl, CTL_ERROR, 0);
      throw new UnsupportedError(`a worker thread failed running '${this.names[fn]}'`);
    }
  }

  /** Stops the workers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.started) running -= this.threads - 1;
    Atomics.store(this.ctl, CTL_STOP, 1);
    Atomics.add(this.ctl, CTL_GENERATION, 1);
    Atomics.notify(this.ctl, CTL_GENERATION);
    for (const w of this.workers) w.terminate();
  }
}
