// Micro-benchmark of the WASM kernels on MobileNetV2-sized layers: GOPS (2 ops per multiply-add), both builds.
// Run: npm run build && node dist/bench/kernels.js [seconds-per-layer]
import { setFlagsFromString } from 'node:v8';
import { loadWasmKernelsSync, relaxedSimdSupported, type WasmKernels } from '../src/kernels/wasm/module.js';

if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');

const SECONDS = Number(process.argv[2] ?? 0.4);

interface Layer {
  name: string;
  kind: 'gemm' | 'dw';
  dtype: 'u8' | 'i8' | 'f32';
  h: number; w: number; cin: number; cout: number; stride: number;
}

const LAYERS: Layer[] = [
  { name: '1x1 112x112x16->96', kind: 'gemm', dtype: 'u8', h: 112, w: 112, cin: 16, cout: 96, stride: 1 },
  { name: '1x1 56x56x144->24', kind: 'gemm', dtype: 'u8', h: 56, w: 56, cin: 144, cout: 24, stride: 1 },
  { name: '1x1 14x14x384->64', kind: 'gemm', dtype: 'u8', h: 14, w: 14, cin: 384, cout: 64, stride: 1 },
  { name: '1x1 7x7x960->320', kind: 'gemm', dtype: 'u8', h: 7, w: 7, cin: 960, cout: 320, stride: 1 },
  { name: '1x1 7x7x960->320', kind: 'gemm', dtype: 'i8', h: 7, w: 7, cin: 960, cout: 320, stride: 1 },
  { name: '1x1 7x7x960->320', kind: 'gemm', dtype: 'f32', h: 7, w: 7, cin: 960, cout: 320, stride: 1 },
  { name: 'dw3x3 56x56x144 s1', kind: 'dw', dtype: 'u8', h: 56, w: 56, cin: 144, cout: 144, stride: 1 },
  { name: 'dw3x3 56x56x144 s2', kind: 'dw', dtype: 'u8', h: 56, w: 56, cin: 144, cout: 144, stride: 2 },
  { name: 'dw3x3 56x56x144 s1', kind: 'dw', dtype: 'i8', h: 56, w: 56, cin: 144, cout: 144, stride: 1 },
  { name: 'dw3x3 56x56x144 s1', kind: 'dw', dtype: 'f32', h: 56, w: 56, cin: 144, cout: 144, stride: 1 },
];

function timeIt(fn: () => void): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < SECONDS * 1000) {
    fn();
    n++;
    t = performance.now();
  }
  return (t - t0) / n;
}

function bench(k: WasmKernels, L: Layer): { ms: number; gops: number } {
  const e = k.exports as unknown as Record<string, (...a: number[]) => number>;
  const mem = k.memory;
  let top = k.heapBase;
  const alloc = (bytes: number): number => {
    const p = top;
    top = (top + bytes + 16 + 15) & ~15;
    if (top > mem.buffer.byteLength) mem.grow(Math.ceil((top - mem.buffer.byteLength) / 65536));
    return p;
  };
  const es = L.dtype === 'f32' ? 4 : 1;
  const oh = Math.ceil(L.h / L.stride), ow = Math.ceil(L.w / L.stride);
  const x = alloc(L.h * L.w * L.cin * es);
  const y = alloc(oh * ow * L.cout * es);
  const taps = L.kind === 'dw' ? 9 : L.cin;
  const wts = alloc(taps * L.cout * es);
  // Normal floats for f32 (byte patterns would be tiny values whose products are subnormal and slow).
  if (L.dtype === 'f32') {
    new Float32Array(mem.buffer, x, L.h * L.w * L.cin).fill(0.5);
    new Float32Array(mem.buffer, wts, taps * L.cout).fill(0.01);
  } else {
    new Uint8Array(mem.buffer, x, L.h * L.w * L.cin).fill(3);
    new Uint8Array(mem.buffer, wts, taps * L.cout).fill(1);
  }
  const mult = alloc(L.cout * 4), shift = alloc(L.cout * 4);
  new Int32Array(mem.buffer, mult, L.cout).fill(1 << 30);
  new Int32Array(mem.buffer, shift, L.cout).fill(-7);
  let run: () => void;
  if (L.kind === 'gemm') {
    const g = `gemm_${L.dtype}_4x8`;
    const packed = alloc(e[`${g}_packed_size`]!(L.cin, L.cout));
    if (L.dtype === 'f32') e[`${g}_pack`]!(L.cin, L.cout, wts, 0, 0, 6, packed);
    else e[`${g}_pack`]!(L.cin, L.cout, wts, 0, 1, 0, mult, shift, 0, L.dtype === 'u8' ? 0 : -128, 127, packed);
    const scratch = alloc(e[`${g}_scratch_size`]!(L.h * L.w, L.cin));
    run = () => e[`${g}_run`]!(L.h * L.w, x, L.cin, packed, y, L.cout, scratch);
  } else {
    const d = `dwconv3x3_${L.dtype}`;
    const packed = alloc(e[`${d}_packed_size`]!(L.cin));
    if (L.dtype === 'f32') e[`${d}_pack`]!(L.cin, wts, 0, 0, 6, packed);
    else e[`${d}_pack`]!(L.cin, wts, 0, 1, 0, mult, shift, 0, L.dtype === 'u8' ? 0 : -128, 127, packed);
    const scratch = alloc(L.cin * 4 + 16);
    run = () => e[`${d}_run`]!(x, L.h, L.w, oh, ow, L.stride, 0, 0, packed, y, scratch);
  }
  const ms = timeIt(run);
  const macs = oh * ow * L.cout * (L.kind === 'dw' ? 9 : L.cin);
  return { ms, gops: (2 * macs) / (ms * 1e6) };
}

const builds = [loadWasmKernelsSync({ flavor: 'simd128' })];
if (relaxedSimdSupported()) builds.push(loadWasmKernelsSync({ flavor: 'relaxed' }));
for (const L of LAYERS) {
  const cells = builds.map((k) => {
    const r = bench(k, L);
    return `${k.flavor} ${r.ms.toFixed(3).padStart(8)} ms ${r.gops.toFixed(2).padStart(6)} GOPS`;
  });
  console.log(`${(L.name + ' ' + L.dtype).padEnd(28)} ${cells.join('   ')}`);
}
