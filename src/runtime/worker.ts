// Entry script of a ThreadPool worker. Under Node (worker_threads) the pool's description comes as workerData; in a
// browser Web Worker as the first message.
import type { WorkerInit } from './thread_control.js';
import { runThreadWorker } from './thread_worker.js';

interface WorkerThreads {
  isMainThread: boolean;
  workerData: unknown;
}

const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
const wt = p?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
if (wt && !wt.isMainThread) {
  runThreadWorker(wt.workerData as WorkerInit);
} else {
  globalThis.addEventListener('message', (e) => runThreadWorker((e as MessageEvent<WorkerInit>).data), { once: true });
}
