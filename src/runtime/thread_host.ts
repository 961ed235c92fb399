// Starting the workers of a ThreadPool: Node worker threads, or module Web Workers in a browser.
import { UnsupportedError } from '../errors.js';
import { CTL_DEAD, CTL_DONE, CTL_READY, type WorkerInit } from './thread_control.js';

/** The started workers of one pool. */
export interface PoolThreads {
  /** Which thread stopped and why, e.g. 'worker thread 1 of 2 exited with code 1' (once CTL_DEAD is set). */
  deathReason(): string | undefined;
  /** Test hook: stops worker `index` now, or (`holding`) once it has taken a task (see CTL_HOLD). */
  kill(index: number, holding: boolean): void;
  /** Stops them all (they may be blocked waiting for work). */
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

interface NodePort {
  postMessage(m: unknown): void;
  close(): void;
}
interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  postMessage(m: unknown): void;
  on(event: string, f: (e: unknown) => void): void;
}
/** What thread_host needs of node:worker_threads. */
export interface WorkerThreadsModule {
  Worker: new (url: URL, opts: { workerData: unknown; execArgv: string[]; transferList?: unknown[] }) => NodeWorker;
  MessageChannel: new () => { port1: NodePort; port2: NodePort };
  receiveMessageOnPort(port: NodePort): { message: unknown } | undefined;
}

/** What the watchdog thread gets: it starts the pool's workers itself, so that their exits reach an event loop
 * that never blocks (the caller's waits synchronously while a run lasts). */
export interface WatchInit {
  inits: WorkerInit[];
  /** Gets one `{ index, reason }` per worker stopped while the pool lives. */
  port: NodePort;
  /** The workers' script. */
  url: string;
  execArgv: string[];
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
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; execArgv?: string[] } }).process;
  const wt = p?.getBuiltinModule?.('node:worker_threads') as WorkerThreadsModule | undefined;
  if (!wt) return undefined;
  // Not the caller's --input-type (of `node -e`), which would stop a worker from starting.
  const execArgv = (p?.execArgv ?? []).filter((a) => !a.startsWith('--input-type'));
  const url = new URL('./worker.js', import.meta.url);
  return {
    kind: 'node',
    start(inits, ctl) {
      const { port1, port2 } = new wt.MessageChannel();
      const watch: WatchInit = { inits, port: port2, url: url.href, execArgv };
      const w = new wt.Worker(url, { workerData: { watch }, execArgv, transferList: [port2] });
      let reason: string | undefined;
      // Seen only when this thread's event loop runs (not while it waits for a start or a run).
      w.on('error', (e) => {
        reason ??= `the thread watchdog failed: ${String(e)}`;
        markDead(ctl, inits.length + 1);
      });
      w.unref();
      return {
        deathReason() {
          const m = wt.receiveMessageOnPort(port1)?.message as { index: number; reason: string } | undefined;
          if (m && reason === undefined) reason = m.reason;
          return reason;
        },
        kill: (index, holding) => w.postMessage({ kill: index, holding }),
        terminate() {
          void w.terminate();
          port1.close();
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
        deathReason: () => reason,
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
