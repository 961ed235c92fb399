// The body of a ThreadPool worker, whatever started it (a Node worker thread or a browser Web Worker): instantiates
// the kernel module on the shared memory with its own stack, then after each dispatch takes tasks until none is
// left, until told to stop. Never returns while the pool lives.
import { callTask, TASK_ARGS, taskFunctions } from '../kernels/wasm/context.js';
import { instantiateWasmKernels } from '../kernels/wasm/module.js';
import {
  controlInts, CTL_ARGS, CTL_DONE, CTL_ERROR, CTL_FN, CTL_GENERATION, CTL_HOLD, CTL_NEXT, CTL_READY, CTL_STOP,
  CTL_TASKS, SPIN,
  taskTag, type WorkerInit,
} from './thread_control.js';

/** Held while this thread lives: the watchdog sees the channel close when the thread ends. */
let watchdogPort: unknown;

/** Joins the pool described by `init` and serves its dispatches until it stops. */
export function runThreadWorker(init: WorkerInit): void {
  watchdogPort = init.port;
  const k = instantiateWasmKernels(init.module, init.memory, init.flavor, true);
  k.exports.__stack_pointer!.value = init.stackTop;
  const e = k.exports as unknown as Record<string, (...a: number[]) => void>;
  const fns = taskFunctions(k).map((n) => e[n]!);
  const ctl = new Int32Array(init.memory.buffer, init.control, controlInts(init.threads));
  const slots: Int32Array[] = [];
  for (let o = CTL_ARGS; o + TASK_ARGS <= ctl.length; o += TASK_ARGS) slots.push(ctl.subarray(o, o + TASK_ARGS));
  let gen = Atomics.load(ctl, CTL_GENERATION);
  Atomics.add(ctl, CTL_READY, 1);
  Atomics.notify(ctl, CTL_READY);

  for (;;) {
    let g = Atomics.load(ctl, CTL_GENERATION);
    for (let i = 0; g === gen && i < SPIN; i++) g = Atomics.load(ctl, CTL_GENERATION);
    if (g === gen) {
      Atomics.wait(ctl, CTL_GENERATION, gen);
      continue;
    }
    gen = g;
    if (Atomics.load(ctl, CTL_STOP) !== 0) break;
    const tag = taskTag(gen);
    for (;;) {
      // Count and export are read before taking a task; taking one with this dispatch's tag proves they are its own
      // (the caller retags the counter before writing the next dispatch's).
      const n = Atomics.load(ctl, CTL_TASKS);
      const fn = Atomics.load(ctl, CTL_FN);
      // Compare-and-swap, never add: a late worker must not use up a task of the next dispatch.
      const v = Atomics.load(ctl, CTL_NEXT);
      const t = v - tag;
      if ((v & ~0xff) !== tag || t >= n) break;
      if (Atomics.compareExchange(ctl, CTL_NEXT, v, v + 1) !== v) continue;
      if (Atomics.load(ctl, CTL_HOLD) === init.index) dieHolding();
      try {
        callTask(fns[fn]!, slots[t]!);
      } catch {
        Atomics.store(ctl, CTL_ERROR, 1);
      }
      if (Atomics.add(ctl, CTL_DONE, 1) + 1 === n) Atomics.notify(ctl, CTL_DONE);
    }
  }
}

/** Test hook (CTL_HOLD): ends this worker's thread with the task just taken unfinished (under Node; elsewhere the
 * worker only stops serving). */
function dieHolding(): never {
  (globalThis as { process?: { exit(code: number): void } }).process?.exit(1);
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
