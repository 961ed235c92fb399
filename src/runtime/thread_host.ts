// Starting the workers of a ThreadPool: Node worker threads, or module Web Workers in a browser.
import { UnsupportedError } from '../errors.js';
import type { WorkerInit } from './thread_control.js';

/** A started pool worker. */
export interface ThreadHandle {
  /** Stops it (it may be blocked waiting for work). */
  terminate(): void;
}

/** Where a pool's workers run. */
export interface ThreadHost {
  /** 'node': worker threads, which start while the creating thread blocks; 'web': Web Workers, which start only
   * once the creating thread returns to its event loop. */
  readonly kind: 'node' | 'web';
  /** Starts a worker on `init`; `onError` gets a failure to load or start it. */
  spawn(init: WorkerInit, onError: (e: unknown) => void): ThreadHandle;
}

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: string, f: (e: unknown) => void): void;
}
type NodeWorkerCtor = new (url: URL, opts: { workerData: WorkerInit; execArgv: string[] }) => NodeWorker;

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
  const wt = p?.getBuiltinModule?.('node:worker_threads') as { Worker: NodeWorkerCtor } | undefined;
  if (!wt) return undefined;
  // Not the caller's --input-type (of `node -e`), which would stop a worker from starting.
  const execArgv = (p?.execArgv ?? []).filter((a) => !a.startsWith('--input-type'));
  const url = new URL('./worker.js', import.meta.url);
  return {
    kind: 'node',
    spawn(init, onError) {
      const w = new wt.Worker(url, { workerData: init, execArgv });
      w.on('error', onError);
      w.unref();
      return { terminate: () => void w.terminate() };
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
    spawn(init, onError) {
      const w = new Worker(url, { type: 'module', name: WEB_THREAD_NAME });
      w.addEventListener('error', (e) => {
        e.preventDefault();
        onError(new UnsupportedError(`worker script '${url.href}' failed to start${e.message ? `: ${e.message}` : ''}`));
      });
      w.postMessage(init);
      return { terminate: () => w.terminate() };
    },
  };
}

/** The worker host of this engine: Node worker threads, else browser Web Workers. */
export function threadHost(): ThreadHost {
  const host = nodeHost() ?? webHost();
  if (!host) throw new UnsupportedError('threads > 1 need Node 20.16+ worker_threads or Web Workers');
  return host;
}
