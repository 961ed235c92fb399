import { UnsupportedError } from '../errors.js';
import { callTask, TASK_ARGS, taskFunctions, type ParallelRunner, type WasmHeap } from '../kernels/wasm/context.js';
import type { WasmKernels } from '../kernels/wasm/module.js';
import {
  controlInts, CTL_ARGS, CTL_DEAD, CTL_DONE, CTL_ERROR, CTL_FN, CTL_GENERATION, CTL_HOLD, CTL_NEXT, CTL_READY, CTL_STOP,
  CTL_TASKS, maxTasks, SPIN, taskTag, TASKS_EXHAUSTED, type WorkerInit,
} from './thread_control.js';
import { threadHost, type PoolThreads } from './thread_host.js';

/** Stack of each worker's WebAssembly instance (the caller's is the module's own first 64 KiB). */
const WORKER_STACK = 65536;
/** How long to wait for the workers to start. */
const START_TIMEOUT_MS = 10000;

type Fn = (...a: number[]) => void;

/** Start-ups of pools, until they settle. */
const starting = new Set<Promise<void>>();
/** Workers started by this thread's pools and not stopped. */
let running = 0;

/**
 * Resolves when the workers of every pool created on this thread have started, with how many workers this thread's
 * pools now run; rejects with the first start that failed. A pool is usable at once (the caller takes every task a
 * missing worker would) but at full speed only after this; in a browser, workers start only once their creator
 * returns to its event loop.
 */
export async function threadsStarted(): Promise<number> {
  await Promise.all([...starting]);
  return running;
}

/**
 * `threads - 1` workers (Node worker threads or browser Web Workers, see thread_host.ts), each with its own instance
 * of the kernel module on the shared memory. A dispatch publishes the export and task arguments on a control block
 * and wakes the workers; then every thread, the caller included, takes tasks with an atomic counter until none is
 * left, and the caller waits for the last one. The workers start in the background (see {@link threadsStarted}).
 *
 * A worker that stops while the pool lives (terminated, crashed, out of memory) fails the run that waits for it, or
 * the next run, with an UnsupportedError naming the thread; every later run fails with the same message. Under Node a
 * watchdog thread notices it even mid-run; in a browser its 'error' event is seen between runs only.
 */
export class ThreadPool implements ParallelRunner {
  readonly threads: number;
  readonly maxTasks: number;
  private readonly ctl: Int32Array;
  private readonly slots: Int32Array[];
  private readonly names: string[];
  private readonly fns: Fn[];
  private readonly workers: PoolThreads;
  private disposed = false;
  private started = false;
  /** The message of every run once a worker has stopped. */
  private failure: string | undefined;

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
    const inits = Array.from({ length: threads - 1 }, (_, j): WorkerInit => {
      const stackTop = heap.alloc(WORKER_STACK) + WORKER_STACK;
      return { module: k.module, memory: k.memory, flavor: k.flavor, control, threads, index: j + 1, stackTop };
    });
    this.workers = host.start(inits, this.ctl);
    // Not waited for here: the workers start while the session packs its weights, and until they run the caller
    // takes every task a missing worker would.
    const t0 = Date.now();
    /** Whether all have started (or the pool stopped); throws on a failure or the time-out. */
    const allStarted = (): boolean => {
      const ready = Atomics.load(this.ctl, CTL_READY);
      if (this.disposed) return true;
      if (ready === threads - 1) {
        if (!this.started) running += threads - 1;
        this.started = true;
        return true;
      }
      const dead = Atomics.load(this.ctl, CTL_DEAD) !== 0;
      if (!dead && Date.now() - t0 <= START_TIMEOUT_MS) return false;
      const why = dead ? `: ${this.workers.deathReason()}` : '';
      this.failure = `worker threads did not start (${ready} of ${threads - 1} ready)${why}; ` +
        'this session cannot run any more: dispose it and create another';
      this.dispose();
      throw new UnsupportedError(this.failure);
    };
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
    if (this.failure !== undefined || Atomics.load(this.ctl, CTL_DEAD) !== 0) this.fail(fn, false);
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
      // A worker that stopped holding a task never finishes it: the watchdog sets CTL_DEAD and wakes this wait.
      if (Atomics.load(ctl, CTL_DEAD) !== 0) this.fail(fn, true);
      Atomics.wait(ctl, CTL_DONE, done, 1);
      done = Atomics.load(ctl, CTL_DONE);
    }
    if (Atomics.load(ctl, CTL_ERROR) !== 0) {
      Atomics.store(ctl, CTL_ERROR, 0);
      throw new UnsupportedError(`a worker thread failed running '${this.names[fn]}'`);
    }
  }

  /** Throws the error of a pool one of whose workers stopped (the same message for every later run). */
  private fail(fn: number, midRun: boolean): never {
    if (this.failure === undefined) {
      this.failure = `${this.workers.deathReason()}${midRun ? ` while running '${this.names[fn]}'` : ''}; ` +
        'this session cannot run any more: dispose it and create another';
    }
    throw new UnsupportedError(this.failure);
  }

  /**
   * Test hook: stops worker `index` (1 .. threads - 1) now, or (`holding`, Node) makes it end its thread once it has
   * taken a task of a later run, which it then never finishes.
   */
  killWorkerForTest(index: number, holding = false): void {
    if (holding) Atomics.store(this.ctl, CTL_HOLD, index);
    else this.workers.kill(index);
  }

  /** Stops the workers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.started) running -= this.threads - 1;
    Atomics.store(this.ctl, CTL_STOP, 1);
    Atomics.add(this.ctl, CTL_GENERATION, 1);
    Atomics.notify(this.ctl, CTL_GENERATION);
    this.workers.terminate();
  }
}
