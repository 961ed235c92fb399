// The watchdog thread of a Node ThreadPool (see WatchInit): records the first worker whose thread ends before the
// pool stops in the control block (CTL_DEAD), waking a caller that waits for its tasks.
import { controlInts, CTL_STOP } from './thread_control.js';
import { markDead, type WatchInit } from './thread_host.js';

/** Watches the workers of the pool described by `w` until the pool stops (its creator terminates this thread). */
export function watchThreads(w: WatchInit): void {
  const ctl = new Int32Array(w.memory.buffer, w.control, controlInts(w.threads));
  w.ports.forEach((port, i) => {
    // A port delivers 'close' only once started, which a 'message' listener does.
    port.on('message', () => {});
    port.on('close', () => {
      if (Atomics.load(ctl, CTL_STOP) === 0) markDead(ctl, i + 1);
    });
  });
}
