// Starting the workers of a ThreadPool: Node worker threads, or module Web Workers in a browser.
import { UnsupportedError } from '../errors.js';
import { startNodeWorker } from './node_worker.js';
import { CTL_DEAD, CTL_DONE, CTL_READY, CTL_STOP, type WorkerInit } from './thread_control.js';

/** The started workers of one pool. */
export interface PoolThreads {
  /** Which thread stopped and why, e.g. 'worker thread 1 of 2 exited with code 1' (once CTL_DEAD is set). */
  deathReason(): string;
  /** Test hook: stops worker `index` (1 ..). */
  kill(index: number): void;
  /** Stops them all (they may be blocked waiting for work); set CTL_STOP first. */
  terminate(): void;
}

/** Where a pool's workers run. */
export interface ThreadHost {
  /** 'node': worker threads, which start while the creating thread blocks; 'web': Web Workers, which start only
   * once the creating thread returns to its event loop. */
  readonly kind: 'node' | 'web';
  /** Starts one worker per init. A worker that fails or exits before the pool sets CTL_STOP is recorded in the
   * control block `ctl` (CTL_DEAD, with CTL_DONE and CTL_READY notified), its reason kept for deathReason. */
  start(inits: WorkerInit[], ctl: Int32Array): PoolThreads;
}

/** Records the first stopped worker in the control block and wakes whoever waits on it. */
export function markDead(ctl: Int32Array, index: number): void {
  Atomics.compareExchange(ctl, CTL_DEAD, 0, index);
  Atomics.notify(ctl, CTL_DONE);
  Atomics.notify(ctl, CTL_READY);
}

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: string, f: (e: unknown) => void): void;
}
/** A Node MessagePort, as far as the pool uses it. */
export interface NodePort {
  on(event: 'message' | 'close', f: () => void): void;
}
/** What thread_host needs of node:worker_threads. */
export interface WorkerThreadsModule {
  Worker: new (url: URL, opts: { workerData: unknown; execArgv: string[]; transferList?: unknown[] }) => NodeWorker;
  MessageChannel: new () => { port1: NodePort; port2: NodePort };
}

/**
 * What the watchdog thread of a Node pool gets: one end of a channel per worker, whose other end the worker holds.
 * A worker's 'exit' event reaches only its creator's event loop, which does not run while the caller waits for a
 * run; a port's 'close' when the thread at its other end ends reaches the watchdog's loop, which never blocks.
 */
export interface WatchInit {
  memory: WebAssembly.Memory;
  /** Byte address of the control block. */
  control: number;
  threads: number;
  ports: NodePort[];
}

/** Name given to browser pool workers; a script shared with other roles dispatches on it (see setWebThreadScript). */
export const WEB_THREAD_NAME = 'mobilenet-ts:thread';

let webScript: URL | undefined;

/**
 * Sets the script browser pool workers load (a module that runs `runThreadWorker` on its first message when its
 * name is {@link WEB_THREAD_NAME}); by default `worker.js` beside this module. A bundle that contains the whole
 * library points it at itself.
 */
export function setWebThreadScript(url: string | URL): void {
  webScript = new URL(url);
}

function nodeHost(): ThreadHost | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = p?.getBuiltinModule?.('node:worker_threads') as WorkerThreadsModule | undefined;
  if (!wt) return undefined;
  const url = new URL('./worker.js', import.meta.url);
  const worker = (opts: { workerData: unknown; transferList: unknown[] }): NodeWorker => startNodeWorker(wt.Worker, url, opts);
  return {
    kind: 'node',
    start(inits, ctl) {
      const n = inits.length;
      let reason: string | undefined;
      // Seen here only when this thread's event loop runs (between runs); the watchdog sees a stop at once.
      const dead = (index: number, why: string): void => {
        if (Atomics.load(ctl, CTL_STOP) !== 0) return;
        reason ??= `worker thread ${index} of ${n} ${why}`;
        markDead(ctl, index);
      };
      const ports: NodePort[] = [];
      const workers = inits.map((init) => {
        const { port1, port2 } = new wt.MessageChannel();
        ports.push(port1);
        const w = worker({ workerData: { ...init, port: port2 }, transferList: [port2] });
        let error: unknown;
        w.on('error', (e) => void (error ??= e));
        w.on('exit', (code) => dead(init.index, error !== undefined ? `failed: ${String(error)}` : `exited with code ${String(code)}`));
        w.unref();
        return w;
      });
      const first = inits[0]!;
      const watch: WatchInit = { memory: first.memory, control: first.control, threads: first.threads, ports };
      const watchdog = worker({ workerData: { watch }, transferList: ports as unknown[] });
      watchdog.on('error', (e) => void (reason ??= `the threads' watchdog failed: ${String(e)}`));
      watchdog.unref();
      return {
        deathReason: () => reason ?? `worker thread ${Atomics.load(ctl, CTL_DEAD)} of ${n} stopped`,
        kill: (index) => void workers[index - 1]?.terminate(),
        terminate() {
          for (const w of workers) void w.terminate();
          void watchdog.terminate();
        },
      };
    },
  };
}

/** Whether this is a browser window's main thread, which may not block (Atomics.wait throws there). */
function onBrowserMainThread(): boolean {
  return typeof (globalThis as { document?: unknown }).document === 'object' &&
    typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'undefined';
}

function webHost(): ThreadHost | undefined {
  if (typeof Worker !== 'function') return undefined;
  if (onBrowserMainThread()) {
    throw new UnsupportedError("threads > 1 cannot run on a browser page's main thread, which may not block: " +
      'load the model with the browser loadModel({ threads }), which runs it in a Web Worker');
  }
  const url = webScript ?? new URL('./worker.js', import.meta.url);
  return {
    kind: 'web',
    start(inits, ctl) {
      let reason: string | undefined;
      // A Web Worker's 'error' reaches its creator's event loop only: between runs, not during one.
      const dead = (index: number, why: string): void => {
        reason ??= `worker thread ${index} of ${inits.length} ${why}`;
        markDead(ctl, index);
      };
      const workers = inits.map((init) => {
        const w = new Worker(url, { type: 'module', name: WEB_THREAD_NAME });
        w.addEventListener('error', (e) => {
          e.preventDefault();
          const started = Atomics.load(ctl, CTL_READY) >= inits.length;
          const msg = e.message ? `: ${e.message}` : '';
          dead(init.index, started ? `failed${msg}` : `did not start (worker script '${url.href}'${msg})`);
        });
        w.postMessage(init);
        return w;
      });
      return {
        deathReason: () => reason ?? `worker thread ${Atomics.load(ctl, CTL_DEAD)} of ${inits.length} stopped`,
        kill(index) {
          workers[index - 1]?.terminate();
          dead(index, 'was terminated');
        },
        terminate: () => workers.forEach((w) => w.terminate()),
      };
    },
  };
}

/** The worker host of this engine: Node worker threads, else browser Web Workers. */
export function threadHost(): ThreadHost {
  const host = nodeHost() ?? webHost();
  if (!host) throw new UnsupportedError('threads > 1 need Node 20.16+ worker_threads or Web Workers');
  return host;
}
