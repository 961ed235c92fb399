// Worker thread of a SessionPool: prepares one single-threaded Session of the graph, then runs the inferences it is
// sent, one at a time, replying with the outputs (their buffers transferred) or the error.
import { parentPort, workerData } from 'node:worker_threads';
import { Session } from './session.js';
import type { PoolError, PoolReply, PoolRequest, PoolWorkerInit } from './session_pool_protocol.js';

const port = parentPort!;
const init = workerData as PoolWorkerInit;

function toPoolError(e: unknown): PoolError {
  return e instanceof Error ? { name: e.constructor.name, message: e.message } : { name: 'Error', message: String(e) };
}

const reply = (m: PoolReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

let session: Session | undefined;
try {
  session = new Session(init.graph, { variant: init.variant, threads: 1 });
  reply({ kind: 'ready' });
} catch (e) {
  reply({ kind: 'error', id: -1, error: toPoolError(e) });
}

port.on('message', (req: PoolRequest) => {
  if (!session) return;
  try {
    const outputs = session.run(req.inputs, req.fetch);
    reply({ kind: 'result', id: req.id, outputs }, outputs.map((o) => o.buffer as ArrayBuffer));
  } catch (e) {
    reply({ kind: 'error', id: req.id, error: toPoolError(e) });
  }
});
