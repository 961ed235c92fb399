// Layout of the control block through which the calling thread hands kernel tasks to worker threads (int32 slots in
// the shared WebAssembly memory).
import { TASK_ARGS } from '../kernels/wasm/context.js';

/** Incremented by the caller for each dispatch; workers wait on it. */
export const CTL_GENERATION = 0;
/** Workers still busy with the current dispatch; the caller waits on it. */
export const CTL_PENDING = 1;
/** Export index of the current dispatch. */
export const CTL_FN = 2;
/** Tasks of the current dispatch (worker i runs task i when i < tasks). */
export const CTL_TASKS = 3;
/** Set to 1 to stop the workers. */
export const CTL_STOP = 4;
/** Workers that have started. */
export const CTL_READY = 5;
/** Set to 1 by a worker whose task threw. */
export const CTL_ERROR = 6;
/** First argument slot; task t's arguments start at CTL_ARGS + t * TASK_ARGS. */
export const CTL_ARGS = 8;

/** int32 slots of the control block for `threads` threads. */
export function controlInts(threads: number): number {
  return CTL_ARGS + threads * TASK_ARGS;
}

/** Polls of a shared counter before blocking on it (keeps hand-offs between ops cheap). */
export const SPIN = 20000;

/** What a worker gets at start. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  flavor: 'simd128' | 'relaxed';
  /** Byte address of the control block. */
  control: number;
  threads: number;
  /** This worker's task index (1 .. threads - 1). */
  index: number;
  /** Top of this worker's own shadow stack. */
  stackTop: number;
}
