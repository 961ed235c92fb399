// Feature detection of the JavaScript engine's WebAssembly, kept apart from the kernel binaries so that a caller can
// probe (or turn on relaxed SIMD) before anything large is imported.

/** Whether this engine can create a shared WebAssembly memory (Node; browsers when cross-origin isolated). */
export function sharedMemorySupported(): boolean {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

// (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

// (func (result v128) v128.const 0 x16) — any SIMD op.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b,
]);

/** Whether this engine accepts WebAssembly SIMD128. */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/**
 * Whether this engine accepts relaxed SIMD. Node 20 (V8 11.3) needs `--experimental-wasm-relaxed-simd`, on the
 * command line or set at run time with `v8.setFlagsFromString` before the module is compiled.
 */
export function relaxedSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
}

/**
 * Turns on relaxed SIMD where the engine has it behind a flag (Node 20: `--experimental-wasm-relaxed-simd`, set
 * through `v8.setFlagsFromString`; affects the whole process and modules compiled afterwards). Opt-in: the float
 * kernels then use fused multiply-add (about 1.4x faster float GEMMs, results within float tolerance). Returns
 * whether relaxed SIMD is now available.
 */
export function enableRelaxedSimd(): boolean {
  if (relaxedSimdSupported()) return true;
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = p?.getBuiltinModule?.('node:v8') as { setFlagsFromString(f: string): void } | undefined;
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return relaxedSimdSupported();
}
