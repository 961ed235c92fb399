import { UnsupportedError } from '../errors.js';
import { SerialRunner, WasmHeap, type WasmContext } from '../kernels/wasm/context.js';
import { loadWasmKernels, loadWasmKernelsSync, sharedMemorySupported, simdSupported, type WasmKernels } from '../kernels/wasm/module.js';
import { ThreadPool } from './thread_pool.js';

/** The WASM kernels of one session with their heap and task runner; `dispose` stops its worker threads. */
export interface WasmRuntime extends WasmContext {
  dispose(): void;
}

/** Whether WASM kernels can run here (WebAssembly SIMD128). */
export function wasmAvailable(): boolean {
  try {
    return simdSupported();
  } catch {
    return false;
  }
}

/**
 * Loads the kernels on a fresh memory: private for one thread, shared with `threads - 1` workers otherwise
 * (Node worker threads, or Web Workers in a browser worker).
 */
export function createWasmRuntime(threads: number, loaded?: WasmKernels): WasmRuntime {
  checkThreads(threads);
  const kernels = loaded ?? loadWasmKernelsSync({ shared: threads > 1, initialPages: 64 });
  const heap = new WasmHeap(kernels);
  if (threads === 1) return { kernels, heap, runner: new SerialRunner(kernels), dispose: () => {} };
  const pool = new ThreadPool(kernels, heap, threads);
  return { kernels, heap, runner: pool, dispose: () => pool.dispose() };
}

function checkThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 32) {
    throw new UnsupportedError(`threads must be an integer from 1 to 32, got ${threads}`);
  }
  if (threads > 1 && !sharedMemorySupported()) {
    throw new UnsupportedError(`threads: ${threads} needs a shared WebAssembly memory, which this engine does not offer`);
  }
}

/** Compiles and instantiates the kernels asynchronously (browsers refuse large synchronous compiles on the main
 * thread); pass the result to {@link createWasmRuntime}. */
export async function loadWasmForThreads(threads: number): Promise<WasmKernels> {
  checkThreads(threads);
  return loadWasmKernels({ shared: threads > 1, initialPages: 64 });
}
