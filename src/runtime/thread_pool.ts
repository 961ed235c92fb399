import { UnsupportedError } from '../errors.js';
import { callTask, TASK_ARGS, taskFunctions, type ParallelRunner, type WasmHeap } from '../kernels/wasm/context.js';
import type { WasmKernels } from '../kernels/wasm/module.js';
import {
  controlInts, CTL_ARGS, CTL_DONE, CTL_ERROR, CTL_FN, CTL_GENERATION, CTL_NEXT, CTL_READY, CTL_STOP, CTL_TASKS,
  maxTasks, SPIN, taskTag, TASKS_EXHAUSTED, type WorkerInit,
} from './thread_control.js';

/** Stack of each worker's WebAssembly instance (the caller's is the module's own first 64 KiB). */
const WORKER_STACK = 65536;
/** How long to wait for the workers to start. */
const START_TIMEOUT_MS = 10000;

type Fn = (...a: number[]) => void;
interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: string, f: (e: unknown) => void): void;
}
type WorkerCtor = new (url: URL, opts: { workerData: WorkerInit; execArgv: string[] }) => NodeWorker;

function execArgv(): string[] {
  const p = (globalThis as { process?: { execArgv?: string[] } }).process;
  return (p?.execArgv ?? []).filter((a) => !a.startsWith('--input-type'));
}

function workerConstructor(): WorkerCtor {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = p?.getBuiltinModule?.('node:worker_threads') as { Worker: WorkerCtor } | undefined;
  if (!wt) throw new UnsupportedError('threads > 1 needs Node 20.16+ worker_threads');
  return wt.Worker;
}

/**
 * `threads - 1` Node worker threads, each with its own instance of the kernel module on the shared memory. A
 * dispatch publishes the export and task arguments on a control block and wakes the workers; then every thread, the
 * caller included, takes tasks with an atomic counter until none is left, and the caller waits for the last one.
 */
export class ThreadPool implements ParallelRunner {
  readonly threads: number;
  readonly maxTasks: number;
  private readonly ctl: Int32Array;
  private readonly slots: Int32Array[];
  private readonly names: string[];
  private readonly fns: Fn[];
  private readonly workers: NodeWorker[] = [];
  private disposed = false;

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
    const Worker = workerConstructor();
    const url = new URL('./worker.js', import.meta.url);
    let failure: unknown;
    for (let i = 1; i < threads; i++) {
      const stackTop = heap.alloc(WORKER_STACK) + WORKER_STACK;
      const init: WorkerInit = { module: k.module, memory: k.memory, flavor: k.flavor, control, threads, index: i, stackTop };
      // Not the caller's --input-type (of `node -e`), which would stop a worker from starting.
      const w = new Worker(url, { workerData: init, execArgv: execArgv() });
      w.on('error', (e) => { failure = e; });
      w.unref();
      this.workers.push(w);
    }
    const t0 = Date.now();
    for (;;) {
      const ready = Atomics.load(this.ctl, CTL_READY);
      if (ready === threads - 1) break;
      if (Date.now() - t0 > START_TIMEOUT_MS) {
        this.dispose();
        throw new UnsupportedError(`worker threads did not start (${ready} of ${threads - 1} ready)${failure ? `: ${String(failure)}` : ''}`);
      }
      Atomics.wait(this.ctl, CTL_READY, ready, 50);
    }
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
    Atomics.store(this.ctl, CTL_STOP, 1);
    Atomics.add(this.ctl, CTL_GENERATION, 1);
    Atomics.notify(this.ctl, CTL_GENERATION);
    for (const w of this.workers) void w.terminate();
  }
}
