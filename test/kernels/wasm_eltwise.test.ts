// WASM quantized ADD and global average pooling against the reference ADD and AVERAGE_POOL_2D kernels
// (byte-exact), float average pooling and softmax against theirs within a tolerance; both builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Activation, DType, Node } from '../../src/graph/index.js';
import { prepareAddQuant, } from '../../src/kernels/add_sub_quant.js';
import {
  Arena, firstDiff, flavors, maxRelErr, oneNodeGraph, randInt, randomActivation, randomArray, rng, runReference,
  tensor,
} from './wasm_helpers.js';

const K = flavors();
const FLOAT_TOL = 1e-6;

function addCase(dtype: 'uint8' | 'int8', shape: number[], activation: Activation, seed: number): void {
  const r = rng(seed);
  const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-128, 127];
  const n = shape.reduce((a, b) => a * b, 1);
  const sa = 0.01 + r() * 0.2, sb = 0.01 + r() * 0.2, sy = (sa + sb) * (0.3 + r());
  const za = randInt(r, lo, hi), zb = randInt(r, lo, hi);
  const zy = activation === 'none' ? randInt(r, lo + 64, hi - 64) : randInt(r, lo, lo + 60);
  const a = randomArray(r, dtype, n), b = randomArray(r, dtype, n);
  const g = oneNodeGraph(
    [tensor('a', dtype, shape, [sa], [za]), tensor('b', dtype, shape, [sb], [zb]), tensor('y', dtype, shape, [sy], [zy])],
    { op: 'ADD', attrs: { activation }, inputs: [0, 1], outputs: [2] } as Node,
  );
  g.inputs = [0, 1];
  const want = runReference(dtype === 'uint8' ? 'add_u8_ref' : 'add_i8_ref', g, { 0: a, 1: b }) as Uint8Array;
  assert.ok(new Set(want).size >= Math.min(10, n / 4), 'degenerate case');
  const p = prepareAddQuant(g.nodes[0]!, g);
  const params = Int32Array.from([p.in1Offset, p.in2Offset, p.leftShift, p.in1Mult, p.in1Shift, p.in2Mult, p.in2Shift,
    p.outMult, p.outShift, p.outOffset, p.lo, p.hi]);
  const dt = dtype === 'uint8' ? 'u8' : 'i8';
  for (const k of K) {
    const e = k.exports as unknown as Record<string, (...x: number[]) => number>;
    assert.equal(e[`add_${dt}_params_size`]!(), params.byteLength);
    const ar = new Arena(k, rng(seed + 1));
    const yp = ar.alloc(n);
    e[`add_${dt}_run`]!(n, ar.put(a), ar.put(b), ar.put(params), yp);
    const got = ar.view(dtype, yp, n) as Uint8Array;
    assert.equal(firstDiff(got, want), null, `${k.flavor} ADD ${dtype} ${shape} ${activation} seed ${seed}`);
  }
}

test('quantized ADD: awkward lengths, both dtypes, activations', () => {
  let seed = 1;
  for (const dtype of ['uint8', 'int8'] as const) {
    for (const shape of [[1, 1, 1, 1], [1, 3, 5, 7], [1, 4, 4, 16], [1, 7, 7, 33], [1, 2, 3, 144], [1, 1, 1, 23]]) {
      addCase(dtype, shape, randomActivation(rng(seed)), seed++);
    }
  }
});

function poolCase(dtype: DType, h: number, w: number, c: number, activation: Activation, seed: number): void {
  const r = rng(seed);
  const q = dtype !== 'float32';
  const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-128, 127];
  const s = 0.05, z = q ? randInt(r, lo + 40, lo + 100) : 0;
  const x = randomArray(r, dtype, h * w * c);
  const qp = (): [number[] | undefined, number[] | undefined] => (q ? [[s], [z]] : [undefined, undefined]);
  const g = oneNodeGraph(
    [tensor('x', dtype, [1, h, w, c], ...qp()), tensor('y', dtype, [1, 1, 1, c], ...qp())],
    { op: 'AVERAGE_POOL_2D', attrs: { filterH: h, filterW: w, strideH: 1, strideW: 1, padding: 'valid', activation }, inputs: [0], outputs: [1] },
  );
  const name = dtype === 'uint8' ? 'avgpool_u8_ref' : dtype === 'int8' ? 'avgpool_i8_ref' : 'avgpool_f32_ref';
  const want = runReference(name, g, { 0: x }) as Float32Array;
  const act = (v: number): number => (q ? z + Math.round(v / s) : v);
  const outMin = activation === 'none' ? (q ? lo : -Infinity) : Math.max(q ? lo : -Infinity, act(0));
  const outMax = activation === 'relu6' ? Math.min(q ? hi : Infinity, act(6)) : q ? hi : Infinity;
  for (const k of K) {
    const e = k.exports;
    const ar = new Arena(k, rng(seed + 7));
    const xp = ar.put(x);
    const yp = ar.alloc(c * 4);
    if (dtype === 'float32') e.gavgpool_f32_run(h * w, c, xp, outMin, outMax, yp);
    else if (dtype === 'uint8') e.gavgpool_u8_run(h * w, c, xp, outMin, outMax, yp, ar.alloc(c * 4 + 32));
    else e.gavgpool_i8_run(h * w, c, xp, outMin, outMax, yp, ar.alloc(c * 4 + 32));
    const got = ar.view(dtype, yp, c) as Float32Array;
    const what = `${k.flavor} pool ${dtype} ${h}x${w}x${c} ${activation}`;
    if (q) assert.equal(firstDiff(got, want), null, what);
    else assert.ok(maxRelErr(got, want) <= FLOAT_TOL, `${what}: ${maxRelErr(got, want)}`);
  }
}

test('global average pooling: u8/i8 exact, f32 within tolerance, odd sizes', () => {
  let seed = 50;
  for (const dtype of ['uint8', 'int8', 'float32'] as DType[]) {
    for (const [h, w, c] of [[7, 7, 1280], [1, 1, 5], [3, 5, 17], [2, 2, 33], [7, 7, 3]]) {
      poolCase(dtype, h!, w!, c!, dtype === 'float32' ? randomActivation(rng(seed)) : 'none', seed++);
    }
  }
});

test('float softmax: awkward depths, several rows, beta, logits whose exponentials underflow', () => {
  let seed = 90;
  for (const [rows, depth, spread, beta] of [[1, 1001, 20, 1], [3, 7, 5, 0.5], [2, 1, 3, 1], [1, 1000, 200, 2.5],
    [4, 33, 1e-3, 1], [1, 5, 150, 1]] as const) {
    const r = rng(seed++);
    const x = Float32Array.from({ length: rows * depth }, () => (r() - 0.5) * 2 * spread);
    const g = oneNodeGraph([tensor('x', 'float32', [rows, depth]), tensor('y', 'float32', [rows, depth])],
      { op: 'SOFTMAX', attrs: { beta }, inputs: [0], outputs: [1] } as Node);
    const want = runReference('softmax_f32_ref', g, { 0: x }) as Float32Array;
    for (const k of K) {
      const ar = new Arena(k, rng(seed));
      const yp = ar.alloc(rows * depth * 4);
      k.exports.softmax_f32_run(rows, depth, ar.put(x), beta, yp);
      const got = ar.view('float32', yp, rows * depth) as Float32Array;
      const what = `${k.flavor} softmax ${rows}x${depth} spread ${spread} beta ${beta}`;
      // Relative to each value, plus float32's rounding of the argument beta*(x - max); exponentials below float32's
      // normal range are flushed to 0 here.
      for (let i = 0; i < got.length; i++) {
        const row = Math.floor(i / depth) * depth;
        const arg = beta * (Math.max(...x.subarray(row, row + depth)) - x[i]!);
        const tol = Math.max((5e-7 + arg * 2 ** -23) * want[i]!, 1.2e-38);
        assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}: [${i}] ${got[i]} vs ${want[i]}`);
      }
    }
  }
});
