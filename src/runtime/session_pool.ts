import { ImageError, MobilenetError, ModelFormatError, ShapeError, UnsupportedError } from '../errors.js';
import type { Graph, TypedArray } from '../graph/index.js';
import type { SessionOptions } from './session.js';
import type { PoolError, PoolReply, PoolRequest, PoolWorkerInit } from './session_pool_protocol.js';
import { startNodeWorker } from './node_worker.js';

/** Options of {@link SessionPool.create}. */
export interface SessionPoolOptions {
  /** Worker threads, each owning a whole single-threaded session of the graph (default 2; 1 to 32). */
  workers?: number;
  /** Kernels of every session (see {@link SessionOptions.variant}). */
  variant?: SessionOptions['variant'];
}

interface NodeWorker {
  postMessage(m: unknown, transfer?: ArrayBuffer[]): void;
  on(event: 'message' | 'error' | 'exit', f: (v: never) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerCtor = new (url: URL, opts: { workerData: unknown; execArgv: string[] }) => NodeWorker;

interface Job {
  id: number;
  inputs: TypedArray[];
  fetch?: number[];
  resolve(outputs: TypedArray[]): void;
  reject(e: Error): void;
}

interface Slot {
  worker: NodeWorker;
  job: Job | undefined;
}

const ERROR_CLASSES: Record<string, new (m: string) => MobilenetError> = {
  MobilenetError, ModelFormatError, UnsupportedError, ImageError, ShapeError,
};

/** The error a worker reported, as the same class when it is one of this library's. */
function revive(e: PoolError): Error {
  const C = ERROR_CLASSES[e.name];
  return C ? new C(e.message) : new Error(`session pool worker: ${e.name}: ${e.message}`);
}

function workerConstructor(): WorkerCtor {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = p?.getBuiltinModule?.('node:worker_threads') as { Worker: WorkerCtor } | undefined;
  if (!wt) throw new UnsupportedError('a session pool needs Node 20.16+ worker_threads');
  return wt.Worker;
}

/**
 * Throughput across worker threads (inter-op parallelism): `workers` Node worker threads each own a whole
 * single-threaded {@link Session} of the same graph, and the inferences given to {@link run} are handed to whichever
 * worker is free. Outputs are the single-session outputs exactly, in input order. Use it for many images; for the
 * latency of one image, `SessionOptions.threads` splits each op across threads instead.
 *
 * An error of one inference (bad input) rejects that run with the session's error class; a worker that dies rejects
 * everything pending and leaves the pool failed (later runs reject with the same error). Call {@link dispose} to stop
 * the workers; idle workers do not keep the process alive.
 */
export class SessionPool {
  /** Number of worker threads. */
  readonly workers: number;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private failure: Error | undefined;
  private nextId = 0;

  private constructor(slots: Slot[]) {
    this.slots = slots;
    this.workers = slots.length;
  }

  /**
   * Starts the workers and prepares a session in each (the graph is copied to every worker).
   *
   * @throws UnsupportedError for a bad worker count or where worker threads are unavailable; the error of preparing
   *   the graph (e.g. an unsupported operator), as its own class.
   */
  static async create(graph: Graph, options: SessionPoolOptions = {}): Promise<SessionPool> {
    const n = options.workers ?? 2;
    if (!Number.isInteger(n) || n < 1 || n > 32) {
      throw new UnsupportedError(`workers must be an integer from 1 to 32, got ${n}`);
    }
    const Worker = workerConstructor();
    const init: PoolWorkerInit = { graph, variant: options.variant };
    const url = new URL('./session_pool_worker.js', import.meta.url);
    const workers = Array.from({ length: n }, () => startNodeWorker(Worker, url, { workerData: init }));
    try {
      await Promise.all(workers.map((w, i) => started(w, i)));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    const pool = new SessionPool(workers.map((worker) => ({ worker, job: undefined })));
    pool.slots.forEach((s, i) => pool.listen(s, i));
    return pool;
  }

  /**
   * Runs many inferences, each given as its graph inputs (or the one input of a single-input graph), spread over the
   * workers; resolves to each inference's fetched tensors (default the graph outputs), in the order given. Inputs are
   * copied to the workers, so the caller may reuse its arrays at once.
   *
   * @throws ShapeError (and the session's other errors) for a bad input; MobilenetError once the pool has failed or
   *   been disposed.
   */
  async run(batch: (TypedArray | TypedArray[])[], fetch?: number[]): Promise<TypedArray[][]> {
    return Promise.all(batch.map((x) => this.runOne(Array.isArray(x) ? x : [x], fetch)));
  }

  /** Runs one inference on the next free worker; resolves to its fetched tensors (default the graph outputs). */
  runOne(inputs: TypedArray[], fetch?: number[]): Promise<TypedArray[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, inputs, fetch, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops the workers; pending runs reject. */
  async dispose(): Promise<void> {
    if (!this.failure) this.fail(new MobilenetError('the session pool was disposed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    for (const s of this.slots) {
      if (s.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      s.job = job;
      s.worker.ref();
      const req: PoolRequest = { id: job.id, inputs: job.inputs, fetch: job.fetch };
      try {
        s.worker.postMessage(req);
      } catch (e) {
        // e.g. an input that cannot be cloned
        s.job = undefined;
        s.worker.unref();
        job.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }

  private listen(s: Slot, i: number): void {
    s.worker.unref();
    s.worker.on('message', (m: PoolReply) => {
      const job = s.job;
      if (!job || m.kind === 'ready' || m.id !== job.id) return;
      s.job = undefined;
      s.worker.unref();
      if (m.kind === 'result') job.resolve(m.outputs);
      else job.reject(revive(m.error));
      this.dispatch();
    });
    s.worker.on('error', (e: Error) => this.fail(new MobilenetError(`session pool worker ${i} failed: ${e.message}`)));
    s.worker.on('exit', (code: number) => this.fail(new MobilenetError(`session pool worker ${i} exited (code ${code})`)));
  }

  /** Rejects everything pending with `e`, and every later run; stops the workers. */
  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const s of this.slots) {
      s.job?.reject(e);
      s.job = undefined;
      s.worker.unref();
    }
    for (const job of this.queue.splice(0)) job.reject(e);
    for (const s of this.slots) void s.worker.terminate();
  }
}

/** Resolves when worker `i` has prepared its session; rejects with its error, or if it dies first. */
function started(w: NodeWorker, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    w.on('message', (m: PoolReply) => {
      if (m.kind === 'ready') resolve();
      else if (m.kind === 'error' && m.id === -1) reject(revive(m.error));
    });
    w.on('error', (e: Error) => reject(new MobilenetError(`session pool worker ${i} failed to start: ${e.message}`)));
    w.on('exit', (code: number) => reject(new MobilenetError(`session pool worker ${i} exited while starting (code ${code})`)));
  });
}
