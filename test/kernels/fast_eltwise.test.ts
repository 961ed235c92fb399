// Table kernels (8-bit hard-swish, logistic, relu, relu6, ADD/SUB/MUL with a scalar constant; in JavaScript and in
// WASM), the WASM MUL (same shapes, per-channel gate; 8-bit and float), ADD (a table of all input pairs) and float
// HARD_SWISH against the reference kernels through one-node sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DType, Graph, Node, Tensor } from '../../src/graph/index.js';
import { allocate } from '../../src/graph/index.js';
import { kernelByName } from '../../src/kernels/registry.js';
import { Session } from '../../src/runtime/index.js';
import { firstDiff, firstValueDiff, maxRelErr, randInt, randomArray, rng, tensor } from './wasm_helpers.js';

function q(r: () => number, dtype: DType): [number[], number[]] {
  const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-128, 127];
  return [[0.01 + r() * 0.1], [randInt(r, lo + 20, hi - 20)]];
}

function check(g: Graph, want: string, seed: number): void {
  const r = rng(seed);
  const fast = new Session(g);
  const ref = new Session(g, { variant: 'ref' });
  assert.equal(fast.kernelNames[0], want);
  const inputs = g.inputs.map((i) => randomArray(r, g.tensors[i]!.dtype, g.tensors[i]!.shape.reduce((a, b) => a * b, 1)));
  const [a] = fast.run(inputs);
  const [b] = ref.run(inputs);
  assert.equal(firstDiff(a as Uint8Array, b as Uint8Array), null, `${want} seed ${seed}`);
  fast.dispose();
  // The JavaScript table kernel the WASM one wraps, run directly.
  const js = want.endsWith('_lut_simd128') ? kernelByName(want.replace(/_simd128$/, '')) : undefined;
  if (js) {
    const node = g.nodes[0]!;
    const y = allocate(g.tensors[node.outputs[0]!]!.dtype, (b as Uint8Array).length);
    js.run(js.prepare(node, g), node.inputs.map((i) => (g.inputs.includes(i) ? inputs[g.inputs.indexOf(i)]! : g.tensors[i]!.data!)), [y]);
    assert.equal(firstDiff(y as Uint8Array, b as Uint8Array), null, `${js.name} seed ${seed}`);
  }
}

test('table kernels equal the reference on every op and both 8-bit dtypes', () => {
  let seed = 1;
  for (const dtype of ['uint8', 'int8'] as DType[]) {
    const dt = dtype === 'uint8' ? 'u8' : 'i8';
    for (const op of ['HARD_SWISH', 'LOGISTIC', 'RELU', 'RELU6'] as const) {
      const r = rng(seed);
      const yq: [number[], number[]] = op === 'LOGISTIC' ? [[1 / 256], [dtype === 'uint8' ? 0 : -128]] : q(r, dtype);
      const tensors: Tensor[] = [tensor('x', dtype, [1, 5, 7, 3], ...q(r, dtype)), tensor('y', dtype, [1, 5, 7, 3], ...yq)];
      const node = { op, attrs: {}, inputs: [0], outputs: [1] } as Node;
      const short = op === 'HARD_SWISH' ? 'hardswish' : op.toLowerCase();
      check({ tensors, nodes: [node], inputs: [0], outputs: [1], meta: { format: 'test' } }, `${short}_${dt}_lut_simd128`, seed++);
    }
    for (const op of ['ADD', 'SUB', 'MUL'] as const) {
      for (const constFirst of [false, true]) {
        const r = rng(seed);
        const c = tensor('c', dtype, [1], ...q(r, dtype), 0, randomArray(r, dtype, 1));
        const x = tensor('x', dtype, [2, 9, 4], ...q(r, dtype));
        const tensors: Tensor[] = [x, c, tensor('y', dtype, [2, 9, 4], ...q(r, dtype))];
        const node = { op, attrs: { activation: 'none' }, inputs: constFirst ? [1, 0] : [0, 1], outputs: [2] } as Node;
        check({ tensors, nodes: [node], inputs: [0], outputs: [2], meta: { format: 'test' } }, `${op.toLowerCase()}_${dt}_lut_simd128`, seed++);
      }
    }
  }
});

test('QUANTIZE from one 8-bit type to another (requantization) as a table equals the reference', () => {
  let seed = 600;
  for (const from of ['uint8', 'int8'] as DType[]) {
    for (const to of ['uint8', 'int8'] as DType[]) {
      const r = rng(seed);
      const tensors: Tensor[] = [tensor('x', from, [1, 9, 7, 5], ...q(r, from)), tensor('y', to, [1, 9, 7, 5], ...q(r, to))];
      const node: Node = { op: 'QUANTIZE', attrs: {}, inputs: [0], outputs: [1] } as Node;
      check({ tensors, nodes: [node], inputs: [0], outputs: [1], meta: { format: 'test' } }, `quantize_${to === 'uint8' ? 'u8' : 'i8'}_lut_simd128`, seed++);
    }
  }
});

test('WASM MUL: same shapes and a per-channel gate on either side, with activations', () => {
  let seed = 100;
  for (const dtype of ['uint8', 'int8'] as DType[]) {
    const dt = dtype === 'uint8' ? 'u8' : 'i8';
    for (const [a, b] of [[[1, 6, 5, 19], [1, 6, 5, 19]], [[1, 6, 5, 19], [1, 1, 1, 19]], [[1, 1, 1, 40], [1, 3, 3, 40]],
      [[1, 2, 2, 8], [1, 1, 1, 8]]] as [number[], number[]][]) {
      const r = rng(seed);
      const y = a.length === b.length && a[1]! >= b[1]! ? a : b;
      const tensors: Tensor[] = [tensor('a', dtype, a, ...q(r, dtype)), tensor('b', dtype, b, ...q(r, dtype)),
        tensor('y', dtype, y, [0.001 + r() * 0.01], [randInt(r, -100, 100) + (dtype === 'uint8' ? 128 : 0)])];
      const activation = (['none', 'relu', 'relu6'] as const)[seed % 3]!;
      const node: Node = { op: 'MUL', attrs: { activation }, inputs: [0, 1], outputs: [2] };
      check({ tensors, nodes: [node], inputs: [0, 1], outputs: [2], meta: { format: 'test' } }, `mul_${dt}_simd128`, seed++);
    }
  }
});

test('WASM float ADD equals the reference bit for bit, with each fused activation', () => {
  let seed = 300;
  for (const activation of ['none', 'relu', 'relu6'] as const) {
    for (const shape of [[1, 7, 5, 3], [2, 9], [1, 1, 1, 1001]]) {
      const tensors: Tensor[] = [tensor('a', 'float32', shape), tensor('b', 'float32', shape), tensor('y', 'float32', shape)];
      const node: Node = { op: 'ADD', attrs: { activation }, inputs: [0, 1], outputs: [2] };
      const g: Graph = { tensors, nodes: [node], inputs: [0, 1], outputs: [2], meta: { format: 'test' } };
      const r = rng(seed++);
      const n = shape.reduce((x, y) => x * y, 1);
      const inputs = [0, 1].map(() => Float32Array.from({ length: n }, () => (r() - 0.5) * 16));
      const fast = new Session(g);
      assert.equal(fast.kernelNames[0], 'add_f32_simd128');
      const [got] = fast.run(inputs);
      const [want] = new Session(g, { variant: 'ref' }).run(inputs);
      assert.deepEqual(got, want, `${activation} ${shape}`);
    }
  }
});

test('WASM quantized ADD (a table of every input pair) equals the reference on all 65536 pairs', () => {
  let seed = 400;
  for (const dtype of ['uint8', 'int8'] as DType[]) {
    const dt = dtype === 'uint8' ? 'u8' : 'i8';
    for (let c = 0; c < 4; c++) {
      const r = rng(seed);
      const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-128, 127];
      // Output scales from below the inputs' to several times their sum; activations clamp at the zero point.
      const sa = 0.005 + r() * 0.2, sb = 0.005 + r() * 0.2;
      const sy = c === 1 ? 6 / (60 + 100 * r()) : (sa + sb) * (0.2 + 3 * r()); // relu6: [0, 6] in 60+ steps
      const yz = c < 2 ? randInt(r, lo + 40, hi - 40) : randInt(r, lo, lo + 30);
      const shape = [1, 256, 256, 1];
      const tensors: Tensor[] = [tensor('a', dtype, shape, [sa], [randInt(r, lo, hi)]),
        tensor('b', dtype, shape, [sb], [randInt(r, lo, hi)]), tensor('y', dtype, shape, [sy], [yz])];
      const activation = (['none', 'relu6', 'relu', 'none'] as const)[c]!;
      const node: Node = { op: 'ADD', attrs: { activation }, inputs: [0, 1], outputs: [2] };
      const g: Graph = { tensors, nodes: [node], inputs: [0, 1], outputs: [2], meta: { format: 'test' } };
      const a = allocate(dtype, 65536), b = allocate(dtype, 65536);
      const ua = new Uint8Array(a.buffer), ub = new Uint8Array(b.buffer);
      for (let i = 0; i < 65536; i++) { ua[i] = i >> 8; ub[i] = i & 255; }
      const fast = new Session(g);
      assert.equal(fast.kernelNames[0], `add_${dt}_lut8x8`);
      const [got] = fast.run([a, b]);
      const [want] = new Session(g, { variant: 'ref' }).run([a, b]);
      assert.ok(new Set(want as Uint8Array).size > 40, `degenerate case (${new Set(want as Uint8Array).size} values)`);
      assert.equal(firstDiff(got as Uint8Array, want as Uint8Array), null, `${dtype} case ${c} seed ${seed}`);
      fast.dispose();
      seed++;
    }
  }
});

test('WASM float MUL (same shapes, a per-channel gate on either side) and HARD_SWISH equal the reference value for value', () => {
  let seed = 500;
  for (const [a, b] of [[[1, 6, 5, 19], [1, 6, 5, 19]], [[1, 6, 5, 19], [1, 1, 1, 19]], [[1, 1, 1, 40], [1, 3, 3, 40]],
    [[1, 2, 2, 8], [1, 1, 1, 8]], [[1, 14, 14, 72], [1, 1, 1, 72]]] as [number[], number[]][]) {
    const activation = (['none', 'relu', 'relu6'] as const)[seed % 3]!;
    const y = a.length === b.length && a[1]! >= b[1]! ? a : b;
    const tensors: Tensor[] = [tensor('a', 'float32', a), tensor('b', 'float32', b), tensor('y', 'float32', y)];
    const node: Node = { op: 'MUL', attrs: { activation }, inputs: [0, 1], outputs: [2] };
    const g: Graph = { tensors, nodes: [node], inputs: [0, 1], outputs: [2], meta: { format: 'test' } };
    const r = rng(seed++);
    const inputs = [a, b].map((s) => Float32Array.from({ length: s.reduce((p, q) => p * q, 1) }, () => (r() - 0.5) * 8));
    const fast = new Session(g);
    assert.equal(fast.kernelNames[0], 'mul_f32_simd128');
    const [got] = fast.run(inputs);
    const [want] = new Session(g, { variant: 'ref' }).run(inputs);
    assert.deepEqual(got, want, `MUL ${a} x ${b} ${activation}`);
    fast.dispose();
  }
  for (const shape of [[1, 7, 5, 3], [1, 1, 1, 1], [1, 4, 4, 33]]) {
    const n = shape.reduce((p, q) => p * q, 1);
    const r = rng(seed++);
    const special = [-3, 3, -0, 0, 6, -6, -2.9999998, 1e30, -1e30, 1e-40, -1e-40, NaN, Infinity, -Infinity];
    const x = Float32Array.from({ length: n }, (_, i) => special[i] ?? (r() - 0.5) * 16);
    const tensors: Tensor[] = [tensor('x', 'float32', shape), tensor('y', 'float32', shape)];
    const g: Graph = { tensors, nodes: [{ op: 'HARD_SWISH', attrs: {}, inputs: [0], outputs: [1] }], inputs: [0], outputs: [1], meta: { format: 'test' } };
    const fast = new Session(g);
    assert.equal(fast.kernelNames[0], 'hardswish_f32_simd128');
    const [got] = fast.run([x]);
    const [want] = new Session(g, { variant: 'ref' }).run([x]);
    assert.equal(firstValueDiff(got as Float32Array, want as Float32Array), null, `HARD_SWISH ${shape}`);
    fast.dispose();
  }
});

test('WASM MEAN over height and width equals the reference in each of its 8-bit arithmetic cases, float within 1e-6', () => {
  let seed = 700;
  for (const dtype of ['uint8', 'int8'] as DType[]) {
    for (const [h, w, c, keepDims, sameQuant] of [[7, 7, 1280, true, false], [3, 5, 17, true, true], [2, 9, 33, false, false],
      [1, 1, 8, true, false]] as [number, number, number, boolean, boolean][]) {
      const r = rng(seed);
      const xq = q(r, dtype);
      const yq = sameQuant ? xq : q(r, dtype);
      const axes: Tensor = { name: 'axes', dtype: 'int32', shape: [2], data: Int32Array.from(seed % 2 ? [1, 2] : [-3, -2]) };
      const tensors: Tensor[] = [tensor('x', dtype, [1, h, w, c], ...xq), axes, tensor('y', dtype, keepDims ? [1, 1, 1, c] : [1, c], ...yq)];
      const node = { op: 'MEAN', attrs: { keepDims }, inputs: [0, 1], outputs: [2] } as Node;
      check({ tensors, nodes: [node], inputs: [0], outputs: [2], meta: { format: 'test' } }, `mean_${dtype === 'uint8' ? 'u8' : 'i8'}_simd128`, seed++);
    }
  }
  // Float: float32 sums, within 1e-6 of the reference's float64 ones.
  for (const [h, w, c, keepDims] of [[7, 7, 256, true], [3, 5, 17, false], [1, 1, 3, true]] as [number, number, number, boolean][]) {
    const r = rng(seed++);
    const axes: Tensor = { name: 'axes', dtype: 'int32', shape: [2], data: Int32Array.from([1, 2]) };
    const tensors: Tensor[] = [tensor('x', 'float32', [1, h, w, c]), axes, tensor('y', 'float32', keepDims ? [1, 1, 1, c] : [1, c])];
    const g: Graph = { tensors, nodes: [{ op: 'MEAN', attrs: { keepDims }, inputs: [0, 1], outputs: [2] } as Node], inputs: [0], outputs: [2], meta: { format: 'test' } };
    const x = Float32Array.from({ length: h * w * c }, () => (r() - 0.5) * 10);
    const fast = new Session(g);
    assert.equal(fast.kernelNames[0], 'mean_f32_simd128');
    const [got] = fast.run([x]);
    const [want] = new Session(g, { variant: 'ref' }).run([x]);
    assert.ok(maxRelErr(got as Float32Array, want as Float32Array) <= 1e-6, `float MEAN ${h}x${w}x${c}`);
    fast.dispose();
  }
});

test('WASM float ADD and MUL with a one-element constant equal the reference value for value', () => {
  let seed = 800;
  for (const op of ['ADD', 'MUL'] as const) {
    for (const constFirst of [false, true]) {
      for (const shape of [[1, 1, 1, 72], [1, 5, 7, 3], [2, 9]]) {
        const activation = (['none', 'relu', 'relu6'] as const)[seed % 3]!;
        const r = rng(seed++);
        const c: Tensor = { name: 'c', dtype: 'float32', shape: [1], data: Float32Array.from([op === 'ADD' ? 3 : 1 / 6 + r()]) };
        const tensors: Tensor[] = [tensor('x', 'float32', shape), c, tensor('y', 'float32', shape)];
        const node: Node = { op, attrs: { activation }, inputs: constFirst ? [1, 0] : [0, 1], outputs: [2] };
        const g: Graph = { tensors, nodes: [node], inputs: [0], outputs: [2], meta: { format: 'test' } };
        const n = shape.reduce((p, q) => p * q, 1);
        const special = [-3, 3, -0, 0, 1e30, -1e-40, NaN, Infinity, -Infinity];
        const x = Float32Array.from({ length: n }, (_, i) => special[i] ?? (r() - 0.5) * 16);
        const fast = new Session(g);
        assert.equal(fast.kernelNames[0], `${op.toLowerCase()}_f32_scalar_simd128`);
        const [got] = fast.run([x]);
        const [want] = new Session(g, { variant: 'ref' }).run([x]);
        assert.equal(firstValueDiff(got as Float32Array, want as Float32Array), null, `${op} ${shape} ${activation}`);
        fast.dispose();
      }
    }
  }
});
