// WASM GEMM / 1x1, im2col and depthwise convolution kernels against the reference CONV_2D, DEPTHWISE_CONV_2D
// and FULLY_CONNECTED kernels: quantized byte-exact, float within a stated tolerance; both builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Activation, DType, Node, Padding, Tensor } from '../../src/graph/index.js';
import { allocate } from '../../src/graph/index.js';
import { outSize, padBefore } from '../../src/kernels/common.js';
import { convQuant } from '../../src/kernels/conv_quant.js';
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierGemm as requantizeGemm } from '../../src/kernels/quant_math.js';
import type { WasmKernels } from '../../src/kernels/wasm/module.js';
import {
  Arena, firstDiff, flavors, maxRelErr, oneNodeGraph, randInt, randomActivation, randomArray, rng, runReference,
  tensor,
} from './wasm_helpers.js';

type Kind = 'conv' | 'dw' | 'fc';
interface Case {
  kind: Kind;
  dtype: DType;
  h: number; w: number; cin: number; cout: number; k: number; stride: number;
  padding: Padding; activation: Activation;
  /** Inputs and weights near their zero points with large multipliers (left shifts, exponent 0). */
  narrow?: boolean;
  /** Biases near +-2^21, past the bound of the float64 requantization: the 64-bit integer path runs. */
  bigBias?: boolean;
}

const FLOAT_TOL = 1e-5;
const K = flavors();
const short = (t: DType): 'u8' | 'i8' | 'f32' => (t === 'uint8' ? 'u8' : t === 'int8' ? 'i8' : 'f32');

function build(c: Case, seed: number) {
  const r = rng(seed);
  const q = c.dtype !== 'float32';
  const oh = c.kind === 'fc' ? 1 : outSize(c.padding, c.h, c.k, c.stride);
  const ow = c.kind === 'fc' ? 1 : outSize(c.padding, c.w, c.k, c.stride);
  const taps = c.kind === 'fc' ? 1 : c.k * c.k;
  const kdim = c.kind === 'dw' ? taps : taps * c.cin;
  const [lo, hi] = c.dtype === 'uint8' ? [0, 255] : [-128, 127];
  const zx = c.dtype === 'float32' ? 0 : randInt(r, lo + 80, hi - 80);
  const sx = 0.05 * (0.5 + r());
  const perChannel = c.dtype === 'int8';
  const sw = perChannel ? Array.from({ length: c.cout }, () => 0.01 * (0.25 + r())) : [0.01 * (0.5 + r())];
  const zw = c.dtype === 'uint8' ? randInt(r, 100, 155) : 0;
  const wShape = c.kind === 'fc' ? [c.cout, c.cin] : c.kind === 'dw' ? [1, c.k, c.k, c.cout] : [c.cout, c.k, c.k, c.cin];
  const wn = wShape.reduce((a, b) => a * b, 1);
  const wData = allocate(c.dtype, wn);
  const xn = c.kind === 'fc' ? c.h * c.cin : c.h * c.w * c.cin;
  const xData = randomArray(r, c.dtype, xn);
  for (let i = 0; i < wn; i++) {
    (wData as Int32Array)[i] = c.dtype === 'float32' ? r() * 2 - 1 : c.dtype === 'uint8' ? randInt(r, 0, 255) : randInt(r, -127, 127);
    if (c.narrow && q) (wData as Int32Array)[i] = Math.max(lo, Math.min(hi, zw + randInt(r, -3, 3)));
  }
  if (c.narrow && q) for (let i = 0; i < xn; i++) (xData as Int32Array)[i] = Math.max(lo, Math.min(hi, zx + randInt(r, -3, 3)));
  // Output scale so that outputs spread over the range (times 2^[-2, 2]); narrow: multipliers 1/0.7 .. 1/3.
  const spread = (Math.sqrt(kdim) * 74 * (perChannel ? 64 : 74)) / 60;
  const syRaw = c.narrow ? sx * sw[0]! * [0.7, 1.5, 3][seed % 3]! : c.bigBias ? (sx * sw[0]! * 2 * 2.6e6) / 255
    : sx * sw[0]! * spread * 2 ** (r() * 3 - 2);
  // relu6 keeps at least 40 output levels.
  const sy = c.activation === 'relu6' && !c.narrow ? Math.min(syRaw, 6 / 40) : syRaw;
  // Zero point low when a relu clamps below it, central otherwise, so outputs use the range.
  const zy = c.dtype === 'float32' ? 0 : c.activation === 'none' ? randInt(r, lo + 64, hi - 64) : randInt(r, lo, lo + 60);
  const bias = q ? new Int32Array(c.cout) : new Float32Array(c.cout);
  for (let i = 0; i < c.cout; i++) {
    bias[i] = q ? (c.narrow ? randInt(r, -20, 20) : c.bigBias ? (i % 2 ? 1 : -1) * randInt(r, 2.1e6, 2.2e6)
      : randInt(r, -3000, 3000)) : r() - 0.5;
  }
  const quant = (s: number[], z: number[]): [number[] | undefined, number[] | undefined] => (q ? [s, z] : [undefined, undefined]);
  const xShape = c.kind === 'fc' ? [c.h, c.cin] : [1, c.h, c.w, c.cin];
  const yShape = c.kind === 'fc' ? [c.h, c.cout] : [1, oh, ow, c.cout];
  const tensors: Tensor[] = [
    tensor('x', c.dtype, xShape, ...quant([sx], [zx])),
    tensor('w', c.dtype, wShape, ...quant(sw, sw.map(() => zw)), c.kind === 'dw' ? 3 : 0, wData),
    tensor('b', q ? 'int32' : 'float32', [c.cout], ...quant(sw.map((s) => s * sx), sw.map(() => 0)), 0, bias),
    tensor('y', c.dtype, yShape, ...quant([sy], [zy])),
  ];
  const conv = { strideH: c.stride, strideW: c.stride, dilationH: 1, dilationW: 1, padding: c.padding, activation: c.activation };
  const node: Node = c.kind === 'fc'
    ? { op: 'FULLY_CONNECTED', attrs: { activation: c.activation, keepNumDims: false }, inputs: [0, 1, 2], outputs: [3] }
    : c.kind === 'dw'
      ? { op: 'DEPTHWISE_CONV_2D', attrs: { ...conv, depthMultiplier: 1 }, inputs: [0, 1, 2], outputs: [3] }
      : { op: 'CONV_2D', attrs: conv, inputs: [0, 1, 2], outputs: [3] };
  const g = oneNodeGraph(tensors, node);
  return { g, node, xData, wData, bias, oh, ow, zw };
}

function floatRange(a: Activation): [number, number] {
  return a === 'relu' ? [0, Infinity] : a === 'relu6' ? [0, 6] : [-Infinity, Infinity];
}

/** Runs the case on one kernel build; returns the output. */
function runWasm(k: WasmKernels, c: Case, b: ReturnType<typeof build>, seed: number): ArrayLike<number> {
  const e = k.exports as unknown as Record<string, (...a: number[]) => number>;
  const a = new Arena(k, rng(seed ^ 0x5eed));
  const dt = short(c.dtype);
  const q = c.dtype !== 'float32';
  const xp = a.put(b.xData);
  const wp = a.put(b.wData);
  const bp = a.put(b.bias);
  const yn = (c.kind === 'fc' ? c.h : b.oh * b.ow) * c.cout;
  const yp = a.alloc(yn * (q ? 1 : 4));
  const [flo, fhi] = floatRange(c.activation);
  const pad = (inSize: number, out: number) => padBefore(c.stride, 1, inSize, c.k, out);
  let packed: number;
  let qp: ReturnType<typeof convQuant> | undefined;
  if (q) qp = convQuant(b.node, b.g, c.cout, c.activation);
  const qargs = (): number[] => [-qp!.inputOffset, b.zw, a.put(qp!.multiplier), a.put(qp!.shift), qp!.outputOffset, qp!.actMin, qp!.actMax];
  if (c.kind === 'dw') {
    const name = `dwconv${c.k}x${c.k}_${dt}`;
    packed = a.alloc(e[`${name}_packed_size`]!(c.cout));
    if (q) e[`${name}_pack`]!(c.cout, wp, bp, ...qargs(), packed);
    else e[`${name}_pack`]!(c.cout, wp, bp, flo, fhi, packed);
    const scratch = a.alloc(c.cout * 4 + 16);
    e[`${name}_run`]!(xp, c.h, c.w, b.oh, b.ow, c.stride, pad(c.h, b.oh), pad(c.w, b.ow), packed, yp, scratch);
  } else {
    const kdim = c.kind === 'fc' ? c.cin : c.k * c.k * c.cin;
    const gemm = `gemm_${dt}_4x8`;
    packed = a.alloc(e[`${gemm}_packed_size`]!(kdim, c.cout));
    if (q) e[`${gemm}_pack`]!(kdim, c.cout, wp, bp, ...qargs(), packed);
    else e[`${gemm}_pack`]!(kdim, c.cout, wp, bp, flo, fhi, packed);
    const m = c.kind === 'fc' ? c.h : c.h * c.w;
    if (c.kind === 'fc' || (c.k === 1 && c.stride === 1)) {
      const bytes = e[`${gemm}_scratch_size`]!(m, c.cin);
      const scratch = a.alloc(bytes);
      const after = guard(a, scratch + bytes);
      e[`${gemm}_run`]!(m, xp, c.cin, packed, yp, c.cout, scratch);
      after();
    }
    else {
      const conv = dt === 'f32' ? 'conv_f32_direct' : `conv_${dt}_im2col`;
      const bytes = e[`${conv}_scratch_size`]!(c.k, c.k, c.cin, b.ow, c.stride);
      const scratch = a.alloc(bytes);
      const after = guard(a, scratch + bytes);
      e[`${conv}_run`]!(xp, c.h, c.w, c.cin, c.k, c.k, b.oh, b.ow, c.stride, pad(c.h, b.oh), pad(c.w, b.ow), packed, yp, scratch);
      after();
    }
  }
  // Which requantization the packed header chose (qhdr.f64 at byte 64): both must be exercised.
  if (q) requantPaths.add(`${c.kind === 'dw' ? 'dw' : 'gemm'} ${['int', 'f64', 'f64 per channel'][new Uint32Array(k.memory.buffer, packed + 64, 1)[0]!]}`);
  return a.view(c.dtype, yp, yn) as ArrayLike<number>;
}

const requantPaths = new Set<string>();

/** Marks the 64 bytes at p, the end of the last block allocated; the returned function fails if a kernel wrote there
 * (past its scratch). */
function guard(a: Arena, p: number): () => void {
  a.alloc(64);
  const m = a.k.memory;
  new Uint8Array(m.buffer, p, 64).fill(0xa5);
  return () => assert.ok(new Uint8Array(m.buffer, p, 64).every((b) => b === 0xa5), 'a kernel wrote past its scratch');
}

function check(c: Case, seed: number): void {
  const b = build(c, seed);
  const ref = `${c.kind === 'dw' ? 'dwconv' : c.kind === 'fc' ? 'fc' : 'conv2d'}_${short(c.dtype)}_ref`;
  const want = runReference(ref, b.g, { 0: b.xData }) as ArrayLike<number>;
  // A case whose reference output is constant would check little.
  const distinct = new Set(Array.from(want)).size;
  assert.ok(distinct >= Math.min(10, want.length / 4), `degenerate case (${distinct} values) ${JSON.stringify(c)}`);
  for (const k of K) {
    const got = runWasm(k, c, b, seed);
    const what = `${k.flavor} ${JSON.stringify(c)} seed ${seed}`;
    if (c.dtype === 'float32') {
      const err = maxRelErr(got, want);
      assert.ok(err <= FLOAT_TOL, `${what}: relative error ${err}`);
    } else {
      assert.equal(firstDiff(got, want), null, what);
    }
  }
}

const DTYPES: DType[] = ['uint8', 'int8', 'float32'];

test('GEMM (1x1 convolution): awkward M, K, N; all dtypes and activations', () => {
  let seed = 1;
  const shapes: [number, number, number, number][] = [
    [1, 1, 1, 1], [3, 5, 3, 5], [7, 3, 17, 33], [5, 5, 16, 96], [2, 9, 33, 17], [4, 4, 8, 8], [3, 3, 144, 24], [1, 7, 5, 1],
    // Several row chunks (inputs or outputs past the chunk size), the last one shorter.
    [41, 39, 70, 21], [53, 29, 5, 47],
  ];
  for (const dtype of DTYPES) {
    for (const [h, w, cin, cout] of shapes) {
      const r = rng(seed);
      check({ kind: 'conv', dtype, h, w, cin, cout, k: 1, stride: 1, padding: 'same', activation: randomActivation(r) }, seed++);
    }
  }
  // 4+ blocks of 8 channels (float: rows of A packed first) with 2 or 3 rows left over.
  for (const dtype of DTYPES) {
    for (const [h, w, cin, cout] of [[2, 7, 13, 40], [3, 5, 6, 27]]) {
      check({ kind: 'conv', dtype, h, w, cin, cout, k: 1, stride: 1, padding: 'same', activation: 'relu6' }, seed++);
    }
  }
});

test('GEMM and depthwise: biases past the float64 requantization bound', () => {
  let seed = 600;
  for (const dtype of ['uint8', 'int8'] as DType[]) {
    check({ kind: 'conv', dtype, h: 5, w: 7, cin: 19, cout: 24, k: 1, stride: 1, padding: 'same', activation: 'none', bigBias: true }, seed++);
    check({ kind: 'dw', dtype, h: 7, w: 6, cin: 21, cout: 21, k: 3, stride: 1, padding: 'same', activation: 'none', bigBias: true }, seed++);
  }
});

test('GEMM: large multipliers (left shift, exponent 0) and saturation', () => {
  for (const dtype of ['uint8', 'int8'] as DType[]) {
    for (let seed = 100; seed < 106; seed++) {
      check({ kind: 'conv', dtype, h: 3, w: 5, cin: 3 + (seed % 4), cout: 9, k: 1, stride: 1, padding: 'same', activation: 'none', narrow: true }, seed);
    }
  }
});

test('FULLY_CONNECTED through the GEMM kernel', () => {
  let seed = 200;
  for (const dtype of DTYPES) {
    for (const [m, cin, cout] of [[1, 17, 10], [1, 64, 1001], [3, 7, 5]] as const) {
      check({ kind: 'fc', dtype, h: m, w: 1, cin, cout, k: 1, stride: 1, padding: 'valid', activation: 'none' }, seed++);
    }
  }
});

test('full convolution (im2col, float direct): the 3x3 stride-2 stem and odd variants', () => {
  let seed = 300;
  const cases: [number, number, number, number, number, number, Padding][] = [
    [15, 15, 3, 32, 3, 2, 'same'], [8, 7, 3, 16, 3, 2, 'same'], [9, 10, 5, 17, 3, 1, 'same'], [7, 9, 3, 8, 3, 2, 'valid'],
    [6, 6, 1, 3, 5, 2, 'same'],
    // Stems whose rows hold direct tiles and padded ones on both sides, short last tiles, one-pixel images.
    [24, 26, 3, 8, 3, 2, 'same'], [23, 31, 3, 13, 3, 2, 'same'], [20, 22, 3, 24, 3, 2, 'valid'], [1, 1, 3, 8, 3, 2, 'same'],
    [17, 19, 2, 9, 3, 3, 'same'], [12, 13, 4, 6, 5, 1, 'valid'],
  ];
  for (const dtype of DTYPES) {
    for (const [h, w, cin, cout, k, stride, padding] of cases) {
      check({ kind: 'conv', dtype, h, w, cin, cout, k, stride, padding, activation: randomActivation(rng(seed)) }, seed++);
    }
    seed += 20 - cases.length; // each dtype's cases keep their seeds when cases are added
  }
});

test('depthwise 3x3 and 5x5, stride 1 and 2, SAME and VALID, awkward channel counts', () => {
  let seed = 400;
  for (const dtype of DTYPES) {
    for (const k of [3, 5]) {
      for (const [h, w, ch, stride, padding] of [
        [9, 7, 1, 1, 'same'], [7, 6, 3, 2, 'same'], [9, 8, 17, 1, 'same'], [6, 9, 33, 2, 'same'], [8, 8, 16, 2, 'valid'],
        [4, 11, 5, 1, 'valid'], [5, 3, 144, 1, 'same'],
        // Tiny images (every tap of some rows and columns in the padding), stride 3.
        [1, 1, 6, 1, 'same'], [2, 3, 8, 2, 'same'], [3, 2, 5, 1, 'same'], [10, 11, 6, 3, 'same'], [9, 8, 7, 3, 'valid'],
      ] as [number, number, number, number, Padding][]) {
        check({ kind: 'dw', dtype, h, w, cin: ch, cout: ch, k, stride, padding, activation: randomActivation(rng(seed)) }, seed++);
      }
    }
  }
  for (const dtype of ['uint8', 'int8'] as DType[]) {
    for (let s = 0; s < 3; s++) {
      check({ kind: 'dw', dtype, h: 6, w: 5, cin: 11, cout: 11, k: 3, stride: 1, padding: 'same', activation: 'none', narrow: true }, 500 + s);
    }
  }
});

/** [shift, multiplier] per channel (8 channels), per channel and for all: exact halves are frequent before each
 * rounding. */
const TIE_PARAMS: [[number, number][], number][] = [
  [Array.from({ length: 8 }, () => [-3, 3 * 2 ** 29]), 1],
  [[[-1, 2 ** 30], [-2, 2 ** 30], [-3, 2 ** 30], [-5, 2 ** 30], [0, 3 * 2 ** 29], [-1, 3 * 2 ** 29], [-2, 5 * 2 ** 28], [1, 3 * 2 ** 28]], 2],
];

/** Runs `f` for every kernel build and both 8-bit types with the types' range and zero points of the tie tests. */
function forTieCases(f: (k: WasmKernels, e: Record<string, (...args: number[]) => number>, dtype: DType,
  q: { lo: number; hi: number; xZp: number; wZp: number; arr: (len: number) => Uint8Array | Int8Array }) => void): void {
  for (const k of K) {
    const e = k.exports as unknown as Record<string, (...args: number[]) => number>;
    for (const dtype of ['uint8', 'int8'] as DType[]) {
      const u8 = dtype === 'uint8', [lo, hi] = u8 ? [0, 255] : [-128, 127];
      const arr = (len: number): Uint8Array | Int8Array => (u8 ? new Uint8Array(len) : new Int8Array(len));
      f(k, e, dtype, { lo, hi, xZp: u8 ? 128 : -1, wZp: u8 ? 128 : 0, arr });
    }
  }
}

test('GEMM float64 requantization at rounding ties (multipliers of few bits), per tensor and per channel', () => {
  const m = 257, kd = 2, n = 8, outZp = 3;
  forTieCases((k, e, dtype, { lo, hi, xZp, wZp, arr }) => {
    const x = arr(m * kd), w = arr(n * kd), bias = new Int32Array(n);
    for (let r = 0; r < m; r++) {
      x[r * kd] = lo + (r & 255);
      x[r * kd + 1] = lo + ((r * 37 + 11) & 255);
    }
    for (let j = 0; j < n; j++) {
      w[j * kd] = wZp + 1 + (j % 3);
      w[j * kd + 1] = wZp - 1;
      bias[j] = j * 13 - 50;
    }
    for (const [params, f64] of TIE_PARAMS) {
      const a = new Arena(k, rng(7));
      const mult = Int32Array.from(params, ([, mu]) => mu), shift = Int32Array.from(params, ([sh]) => sh);
      const gemm = `gemm_${short(dtype)}_4x8`;
      const packed = a.alloc(e[`${gemm}_packed_size`]!(kd, n));
      e[`${gemm}_pack`]!(kd, n, a.put(w), a.put(bias), xZp, wZp, a.put(mult), a.put(shift), outZp, lo, hi, packed);
      assert.equal(new Uint32Array(k.memory.buffer, packed + 64, 1)[0], f64);
      const y = a.alloc(m * n);
      e[`${gemm}_run`]!(m, a.put(x), kd, packed, y, n, a.alloc(e[`${gemm}_scratch_size`]!(m, kd)));
      const want = arr(m * n);
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < n; j++) {
          let acc = bias[j]!;
          for (let i = 0; i < kd; i++) acc += (x[r * kd + i]! - xZp) * (w[j * kd + i]! - wZp);
          want[r * n + j] = Math.max(lo, Math.min(hi, requantizeGemm(acc, mult[j]!, shift[j]!) + outZp));
        }
      }
      assert.equal(firstDiff(a.view(dtype, y, m * n) as ArrayLike<number>, want), null, `${k.flavor} ${dtype} f64 mode ${f64}`);
    }
  });
});

test('depthwise float64 requantization at rounding ties (multipliers of few bits), per tensor and per channel', () => {
  const c = 8, h = 3, w = 66, ow = w - 2, outZp = 3;
  forTieCases((k, e, dtype, { lo, hi, xZp, wZp, arr }) => {
    const x = arr(h * w * c), wt = arr(9 * c), bias = new Int32Array(c);
    for (let i = 0; i < h * w * c; i++) x[i] = lo + ((i * 37 + (i >> 3) * 11) & 255);
    for (let t = 0; t < 9; t++) for (let j = 0; j < c; j++) wt[t * c + j] = wZp + (t === 4 ? 1 + (j % 3) : t % 2 ? -1 : 0);
    for (let j = 0; j < c; j++) bias[j] = j * 13 - 50;
    for (const [params, f64] of TIE_PARAMS) {
      const a = new Arena(k, rng(7));
      const mult = Int32Array.from(params, ([, mu]) => mu), shift = Int32Array.from(params, ([sh]) => sh);
      const dw = `dwconv3x3_${short(dtype)}`;
      const packed = a.alloc(e[`${dw}_packed_size`]!(c));
      e[`${dw}_pack`]!(c, a.put(wt), a.put(bias), xZp, wZp, a.put(mult), a.put(shift), outZp, lo, hi, packed);
      assert.equal(new Uint32Array(k.memory.buffer, packed + 64, 1)[0], f64);
      const y = a.alloc(ow * c);
      e[`${dw}_run`]!(a.put(x), h, w, 1, ow, 1, 0, 0, packed, y, a.alloc(c + 16));
      const want = arr(ow * c);
      for (let ox = 0; ox < ow; ox++) {
        for (let j = 0; j < c; j++) {
          let acc = bias[j]!;
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) acc += (x[(ky * w + ox + kx) * c + j]! - xZp) * (wt[(ky * 3 + kx) * c + j]! - wZp);
          }
          want[ox * c + j] = Math.max(lo, Math.min(hi, multiplyByQuantizedMultiplier(acc, mult[j]!, shift[j]!) + outZp));
        }
      }
      assert.equal(firstDiff(a.view(dtype, y, ow * c) as ArrayLike<number>, want), null, `${k.flavor} ${dtype} f64 mode ${f64}`);
    }
  });
});

test('every requantization ran: exact float64 (per tensor, per channel) and 64-bit integer, GEMM and depthwise', () => {
  assert.deepEqual([...requantPaths].sort(), ['dw f64', 'dw f64 per channel', 'dw int', 'gemm f64', 'gemm f64 per channel', 'gemm int']);
});

test('the float64 requantization is refused past a right shift of 20 (its rounding term would need over 53 bits)', () => {
  for (const k of K) {
    const a = new Arena(k, rng(1));
    const e = k.exports as unknown as Record<string, (...args: number[]) => number>;
    const f64Of = (shift: number): number => {
      const w = a.put(Uint8Array.from({ length: 32 }, (_, i) => 120 + (i % 7)));
      const mult = a.put(new Int32Array(8).fill(1 << 30)), sh = a.put(new Int32Array(8).fill(shift));
      const packed = a.alloc(e.gemm_u8_4x8_packed_size!(4, 8));
      e.gemm_u8_4x8_pack!(4, 8, w, 0, 128, 128, mult, sh, 0, 0, 255, packed);
      return new Uint32Array(k.memory.buffer, packed + 64, 1)[0]!;
    };
    assert.equal(f64Of(-7), 1);
    assert.equal(f64Of(-20), 1);
    assert.equal(f64Of(-21), 0);
  }
});
