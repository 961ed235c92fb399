// Worker thread of a ThreadPool: instantiates the kernel module on the shared memory with its own stack, then runs
// its task of every dispatch until told to stop.
import { workerData } from 'node:worker_threads';
import { callTask, TASK_ARGS, taskFunctions } from '../kernels/wasm/context.js';
import { instantiateWasmKernels } from '../kernels/wasm/module.js';
import {
  controlInts, CTL_ARGS, CTL_ERROR, CTL_FN, CTL_GENERATION, CTL_PENDING, CTL_READY, CTL_STOP, CTL_TASKS, SPIN,
  type WorkerInit,
} from './thread_control.js';

const init = workerData as WorkerInit;
const k = instantiateWasmKernels(init.module, init.memory, init.flavor, true);
k.exports.__stack_pointer!.value = init.stackTop;
const e = k.exports as unknown as Record<string, (...a: number[]) => void>;
const fns = taskFunctions(k).map((n) => e[n]!);
const ctl = new Int32Array(init.memory.buffer, init.control, controlInts(init.threads));
const args = ctl.subarray(CTL_ARGS + init.index * TASK_ARGS, CTL_ARGS + (init.index + 1) * TASK_ARGS);
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
  if (init.index < ctl[CTL_TASKS]!) {
    try {
      callTask(fns[ctl[CTL_FN]!]!, args);
    } catch {
      Atomics.store(ctl, CTL_ERROR, 1);
    }
  }
  if (Atomics.sub(ctl, CTL_PENDING, 1) === 1) Atomics.notify(ctl, CTL_PENDING);
}
