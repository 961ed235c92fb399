// Layout of the control block through which the calling thread hands kernel tasks to worker threads (int32 slots in
// the shared WebAssembly memory).
import { TASK_ARGS } from '../kernels/wasm/context.js';

/** Incremented by the caller for each dispatch; workers wait on it. */
export const CTL_GENERATION = 0;
/** Tasks finished in the current dispatch; the caller waits until it reaches the task count. */
export const CTL_DONE = 1;
/** Export index of the current dispatch. */
export const CTL_FN = 2;
/** Tasks of the current dispatch. */
export const CTL_TASKS = 3;
/** Set to 1 to stop the workers. */
export const CTL_STOP = 4;
/** Workers that have started. */
export const CTL_READY = 5;
/** Set to 1 by a worker whose task threw. */
export const CTL_ERROR = 6;
/** Index (1 ..) of the first worker found stopped while the pool lives; 0 while all run. Set by whoever watches
 * the workers' exits (the watchdog thread under Node, the creator's event loop in a browser). */
export const CTL_DEAD = 7;
/** Test hook: the index of a worker that, after taking its next task, ends its thread instead of running it (a
 * worker dying while it holds a task). 0: none. */
export const CTL_HOLD = 8;
/** Next task to take, tagged with its dispatch: `taskTag(generation) + task`. Every thread, the caller included,
 * takes tasks with Atomics.add until none is left, so a worker that the OS has not scheduled yet leaves its share to
 * the others; a worker whose taken value carries another tag is late (or early) and takes nothing. */
export const CTL_NEXT = 16;

/** The tag of a dispatch's task numbers (the low 8 bits count tasks: at most 4·32 + 32 < 256 are ever taken). */
export function taskTag(generation: number): number {
  return (generation & 0x7fffff) << 8;
}

/** A task number past any dispatch's tasks, with room for every thread's failing take below 256. */
export const TASKS_EXHAUSTED = 200;
/** First argument slot (own cache line); task t's arguments start at CTL_ARGS + t * TASK_ARGS. */
export const CTL_ARGS = 32;

/** Tasks per dispatch for `threads` threads: a few per thread, so uneven progress evens out. */
export function maxTasks(threads: number): number {
  return threads * 4;
}

/** int32 slots of the control block for `threads` threads. */
export function controlInts(threads: number): number {
  return CTL_ARGS + maxTasks(threads) * TASK_ARGS;
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
  /** Node: this worker's end of a channel to the pool's watchdog, which sees it close when this thread ends. */
  port?: unknown;
}
