// The WASM PAD (height and width) against the reference PAD through one-node sessions, every dtype; other paddings
// stay on the reference kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DType, Graph, Tensor } from '../../src/graph/index.js';
import { Session } from '../../src/runtime/index.js';
import { randInt, randomArray, rng, tensor } from './wasm_helpers.js';

function padGraph(dtype: DType, shape: number[], pads: number[][], zp: number): Graph {
  const out = shape.map((d, i) => d + pads[i]![0]! + pads[i]![1]!);
  const q = (): [number[] | undefined, number[] | undefined] => (dtype === 'float32' ? [undefined, undefined] : [[0.05], [zp]]);
  const paddings: Tensor = { name: 'paddings', dtype: 'int32', shape: [4, 2], data: Int32Array.from(pads.flat()) };
  const tensors: Tensor[] = [tensor('x', dtype, shape, ...q()), paddings, tensor('y', dtype, out, ...q())];
  return { tensors, nodes: [{ op: 'PAD', attrs: {}, inputs: [0, 1], outputs: [2] }], inputs: [0], outputs: [2], meta: { format: 'test' } };
}

test('WASM PAD of height and width equals the reference, every dtype, batch 2, one-pixel images', () => {
  let seed = 1;
  for (const dtype of ['float32', 'uint8', 'int8'] as DType[]) {
    const dt = dtype === 'float32' ? 'f32' : dtype === 'uint8' ? 'u8' : 'i8';
    for (const [shape, hw] of [[[1, 7, 9, 5], [[1, 1], [1, 1]]], [[1, 8, 8, 16], [[0, 1], [0, 1]]], [[2, 3, 4, 3], [[2, 0], [0, 3]]],
      [[1, 1, 1, 7], [[1, 2], [3, 0]]], [[1, 5, 6, 1], [[0, 0], [0, 0]]]] as [number[], number[][]][]) {
      const r = rng(seed++);
      const zp = dtype === 'uint8' ? randInt(r, 1, 254) : randInt(r, -127, 126);
      const g = padGraph(dtype, shape, [[0, 0], hw[0]!, hw[1]!, [0, 0]], zp);
      const x = randomArray(r, dtype, shape.reduce((a, b) => a * b, 1));
      const fast = new Session(g);
      assert.equal(fast.kernelNames[0], `pad_${dt}_simd128`);
      const [got] = fast.run([x]);
      const [want] = new Session(g, { variant: 'ref' }).run([x]);
      assert.deepEqual(got, want, `${dtype} ${shape} ${JSON.stringify(hw)}`);
      fast.dispose();
    }
  }
});

test('PAD of the channels or the batch stays on the reference kernel', () => {
  for (const pads of [[[0, 0], [1, 1], [1, 1], [0, 2]], [[1, 0], [0, 0], [0, 0], [0, 0]]]) {
    const g = padGraph('float32', [1, 3, 3, 4], pads, 0);
    assert.equal(new Session(g).kernelNames[0], 'pad_f32_ref');
  }
});
