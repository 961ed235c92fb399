import { UnsupportedError } from '../../errors.js';
import { gunzipSync } from 'fflate';
import {
  KERNELS_RELAXED_BASE64, KERNELS_RELAXED_MT_BASE64, KERNELS_SIMD128_BASE64, KERNELS_SIMD128_MT_BASE64,
} from './binary.generated.js';
import type { WasmKernelExports } from './exports.js';
import { relaxedSimdSupported, sharedMemorySupported, simdSupported } from './features.js';

export { enableRelaxedSimd, relaxedSimdSupported, sharedMemorySupported, simdSupported } from './features.js';

/** Which build of the kernels to use: relaxed SIMD (FMA) when the engine validates it, else plain SIMD128. */
export type WasmFlavor = 'simd128' | 'relaxed';

/** The kernels instantiated on one linear memory. */
export interface WasmKernels {
  flavor: WasmFlavor;
  /** Built for a shared memory (threads): workers instantiate `module` on the same `memory`. */
  shared: boolean;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: WasmKernelExports;
  /** First free byte of linear memory (16-byte aligned). */
  heapBase: number;
}

export interface WasmKernelOptions {
  /** Memory to run on (the runtime's arena); a fresh one of `initialPages` 64 KiB pages otherwise. */
  memory?: WebAssembly.Memory;
  initialPages?: number;
  /** 'auto' (default) picks relaxed when supported. */
  flavor?: WasmFlavor | 'auto';
  /** The build for a shared memory (threads); a given `memory` must then be shared. */
  shared?: boolean;
}

/** Largest linear memory of the shared-memory builds, in 64 KiB pages (1 GiB, as linked). */
export const SHARED_MAX_PAGES = 16384;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Inflates gzip: with Node's zlib where it exists (native: about 10 ms less in a cold process than fflate). */
function gunzip(gz: Uint8Array): Uint8Array<ArrayBuffer> {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const zlib = p?.getBuiltinModule?.('node:zlib') as { gunzipSync(b: Uint8Array): Uint8Array } | undefined;
  const out = zlib ? zlib.gunzipSync(gz) : gunzipSync(gz);
  return new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, out.byteLength);
}

function pick(flavor: WasmFlavor | 'auto', shared: boolean): { flavor: WasmFlavor; bytes: Uint8Array<ArrayBuffer> } {
  if (!simdSupported()) throw new UnsupportedError('this JavaScript engine has no WebAssembly SIMD128');
  const f: WasmFlavor = flavor === 'auto' ? (relaxedSimdSupported() ? 'relaxed' : 'simd128') : flavor;
  if (f === 'relaxed' && !relaxedSimdSupported()) {
    throw new UnsupportedError('this JavaScript engine has no WebAssembly relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd)');
  }
  if (shared && !sharedMemorySupported()) {
    throw new UnsupportedError('this JavaScript engine has no shared WebAssembly memory (browsers: cross-origin isolation)');
  }
  const b64 = f === 'relaxed'
    ? (shared ? KERNELS_RELAXED_MT_BASE64 : KERNELS_RELAXED_BASE64)
    : (shared ? KERNELS_SIMD128_MT_BASE64 : KERNELS_SIMD128_BASE64);
  // Embedded gzip-compressed: a third of the size in the browser bundle.
  return { flavor: f, bytes: gunzip(decodeBase64(b64)) };
}

function finish(flavor: WasmFlavor, shared: boolean, module: WebAssembly.Module, memory: WebAssembly.Memory,
  instance: WebAssembly.Instance): WasmKernels {
  const exports = instance.exports as unknown as WasmKernelExports;
  const base = exports.__heap_base.value as number;
  return { flavor, shared, module, memory, exports, heapBase: (base + 15) & ~15 };
}

function memoryOf(opts: WasmKernelOptions): WebAssembly.Memory {
  if (opts.memory) return opts.memory;
  const initial = opts.initialPages ?? 32;
  return opts.shared
    ? new WebAssembly.Memory({ initial, maximum: SHARED_MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial });
}

/** Instantiates an already compiled kernel module on a memory (a worker joining a shared memory). */
export function instantiateWasmKernels(module: WebAssembly.Module, memory: WebAssembly.Memory, flavor: WasmFlavor,
  shared: boolean): WasmKernels {
  return finish(flavor, shared, module, memory, new WebAssembly.Instance(module, { env: { memory } }));
}

/** Compiles and instantiates the kernels (browsers: prefer this over the synchronous form). */
export async function loadWasmKernels(opts: WasmKernelOptions = {}): Promise<WasmKernels> {
  const shared = opts.shared ?? false;
  const { flavor, bytes } = pick(opts.flavor ?? 'auto', shared);
  const memory = memoryOf(opts);
  const module = await WebAssembly.compile(bytes);
  return finish(flavor, shared, module, memory, await WebAssembly.instantiate(module, { env: { memory } }));
}

/** Synchronous form of {@link loadWasmKernels} (Node, workers). */
export function loadWasmKernelsSync(opts: WasmKernelOptions = {}): WasmKernels {
  const shared = opts.shared ?? false;
  const { flavor, bytes } = pick(opts.flavor ?? 'auto', shared);
  const memory = memoryOf(opts);
  const module = new WebAssembly.Module(bytes);
  return finish(flavor, shared, module, memory, new WebAssembly.Instance(module, { env: { memory } }));
}
