// The watchdog thread of a Node ThreadPool: starts the pool's workers and watches their exits. A worker's 'exit'
// event reaches only the thread that created it, and only through that thread's event loop; the pool's caller blocks
// for as long as a run lasts, so a worker dying mid-run would leave it waiting forever. This thread never blocks: it
// records the first worker that stops before the pool does in the control block (CTL_DEAD, waking the caller) and
// posts the reason to the caller, who reads it synchronously.
import { controlInts, CTL_HELD, CTL_STOP } from './thread_control.js';
import { markDead, type WatchInit, type WorkerThreadsModule } from './thread_host.js';

interface ParentPort {
  on(event: 'message', f: (m: { kill: number; holding: boolean }) => void): void;
}

/** Serves as the watchdog of the pool described by `w` until the pool stops (its creator terminates this thread). */
export function watchThreads(w: WatchInit, wt: WorkerThreadsModule, parent: ParentPort): void {
  const first = w.inits[0]!;
  const ctl = new Int32Array(first.memory.buffer, first.control, controlInts(first.threads));
  const n = w.inits.length;
  const workers = w.inits.map((init) => {
    const worker = new wt.Worker(new URL(w.url), { workerData: init, execArgv: w.execArgv });
    let error: unknown;
    worker.on('error', (e) => {
      error ??= e;
    });
    worker.on('exit', (code) => {
      if (Atomics.load(ctl, CTL_STOP) !== 0) return;
      const why = error !== undefined ? `failed: ${String(error)}` : `exited with code ${String(code)}`;
      w.port.postMessage({ index: init.index, reason: `worker thread ${init.index} of ${n} ${why}` });
      markDead(ctl, init.index);
    });
    return worker;
  });
  parent.on('message', ({ kill, holding }) => {
    const stop = (): void => void workers[kill - 1]?.terminate();
    if (!holding) return stop();
    const poll = (): void => {
      if (Atomics.load(ctl, CTL_HELD) === kill) stop();
      else setTimeout(poll, 1);
    };
    poll();
  });
}
