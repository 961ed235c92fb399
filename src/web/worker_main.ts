// The browser library's script is also the script of its workers: run under the engine's name it serves a model
// (engine.ts); under the pool workers' name it joins a thread pool. Elsewhere (the page, Node) this does nothing.
import { setWebThreadScript, WEB_THREAD_NAME } from '../runtime/thread_host.js';
import type { WorkerInit } from '../runtime/thread_control.js';
import { runThreadWorker } from '../runtime/thread_worker.js';
import { serveEngine, type EngineScope } from './engine.js';
import { ENGINE_NAME } from './engine_protocol.js';

/** The URL of this module: in the bundle, the library's one script. */
export const LIBRARY_URL: string = import.meta.url;

const scope = globalThis as unknown as EngineScope & { name?: string };
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined') {
  if (scope.name === ENGINE_NAME) {
    setWebThreadScript(LIBRARY_URL);
    serveEngine(scope);
  } else if (scope.name === WEB_THREAD_NAME) {
    globalThis.addEventListener('message', (e) => runThreadWorker((e as MessageEvent<WorkerInit>).data), { once: true });
  }
}
