// Entry script of a ThreadPool worker and, under Node, of the pool's watchdog thread (thread_watchdog.ts). Under
// Node (worker_threads) the pool's description comes as workerData; in a browser Web Worker as the first message.
import type { WorkerInit } from './thread_control.js';
import type { WatchInit } from './thread_host.js';

interface WorkerThreads {
  isMainThread: boolean;
  workerData: unknown;
}

const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
const wt = p?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
if (wt && !wt.isMainThread) {
  const data = wt.workerData as WorkerInit | { watch: WatchInit };
  // Each role loads only its own modules (the watchdog not the kernels).
  if ('watch' in data) (await import('./thread_watchdog.js')).watchThreads(data.watch);
  else (await import('./thread_worker.js')).runThreadWorker(data);
} else {
  globalThis.addEventListener('message', (e) => {
    // A failure to start is rethrown from a timer: an 'error' event for the pool, not an unhandled rejection.
    import('./thread_worker.js').then((m) => m.runThreadWorker((e as MessageEvent<WorkerInit>).data))
      .catch((err: unknown) => setTimeout(() => { throw err; }));
  }, { once: true });
}
