import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import type { Graph, Node, Tensor } from '../../src/graph/index.js';
import { broadcastShapes, inferShapes } from '../../src/graph/shape.js';

function act(name: string, shape: number[] = []): Tensor {
  return { name, dtype: 'float32', shape };
}
function konst(name: string, shape: number[], data: ArrayLike<number>, dtype: 'float32' | 'int32' = 'float32'): Tensor {
  return { name, dtype, shape, data: dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data) };
}
function graph(tensors: Tensor[], nodes: Node[]): Graph {
  return { tensors, nodes, inputs: [0], outputs: [tensors.length - 1], meta: { format: 'test' } };
}
const conv = (padding: 'same' | 'valid', stride: number, dilation = 1) => ({
  strideH: stride, strideW: stride, dilationH: dilation, dilationW: dilation, padding, activation: 'none' as const,
});

test('conv output sizes for SAME/VALID, stride and dilation', () => {
  const cases: [('same' | 'valid'), number, number, number[]][] = [
    ['same', 1, 1, [1, 7, 9, 4]],
    ['same', 2, 1, [1, 4, 5, 4]],
    ['valid', 1, 1, [1, 5, 7, 4]],
    ['valid', 2, 1, [1, 3, 4, 4]],
    ['valid', 1, 2, [1, 3, 5, 4]],
  ];
  for (const [padding, stride, dil, want] of cases) {
    const g = graph(
      [act('x', [1, 7, 9, 3]), konst('w', [4, 3, 3, 3], new Float32Array(108)), act('y')],
      [{ op: 'CONV_2D', attrs: conv(padding, stride, dil), inputs: [0, 1, -1], outputs: [2] }],
    );
    assert.deepEqual(inferShapes(g).tensors[2]!.shape, want, `${padding} s${stride} d${dil}`);
    assert.deepEqual(g.tensors[2]!.shape, [], 'input graph untouched');
  }
});

test('channel mismatch names the node', () => {
  const g = graph(
    [act('x', [1, 5, 5, 2]), konst('w', [4, 1, 1, 3], new Float32Array(12)), act('y')],
    [{ op: 'CONV_2D', name: 'bad_conv', attrs: conv('same', 1), inputs: [0, 1, -1], outputs: [2] }],
  );
  assert.throws(() => inferShapes(g), (e: unknown) => e instanceof ShapeError && /bad_conv/.test(e.message) && /channels/.test(e.message));
});

test('declared output shapes are checked', () => {
  const g = graph([act('x', [1, 4]), act('y', [1, 5])], [{ op: 'RELU', attrs: {}, inputs: [0], outputs: [1] }]);
  assert.throws(() => inferShapes(g), /declared \[1,5\] but the op gives \[1,4\]/);
});

test('mean, reshape -1, squeeze, FC, pad, concat and broadcasting', () => {
  const t = [
    act('x', [1, 7, 7, 8]),
    konst('axes', [2], [1, 2], 'int32'),
    act('m'), // 2: mean keepDims -> [1,1,1,8]
    konst('shape', [2], [1, -1], 'int32'),
    act('r'), // 4: reshape -> [1,8]
    act('s'), // 5: squeeze [0] -> [8] ... then FC needs 2D input: use r
    konst('w', [3, 8], new Float32Array(24)),
    act('fc'), // 7: [1,3]
    konst('pads', [2, 2], [0, 1, 2, 0], 'int32'),
    act('p'), // 9: [2,5]
    act('c'), // 10: concat axis 1 of p,p -> [2,10]
    act('b'), // 11: add fc [1,3] + ... use mul of m [1,1,1,8] and x -> [1,7,7,8]
  ];
  const nodes: Node[] = [
    { op: 'MEAN', attrs: { keepDims: true }, inputs: [0, 1], outputs: [2] },
    { op: 'RESHAPE', attrs: {}, inputs: [2, 3], outputs: [4] },
    { op: 'SQUEEZE', attrs: { axes: [0] }, inputs: [4], outputs: [5] },
    { op: 'FULLY_CONNECTED', attrs: { activation: 'none', keepNumDims: false }, inputs: [4, 6, -1], outputs: [7] },
    { op: 'PAD', attrs: {}, inputs: [7, 8], outputs: [9] },
    { op: 'CONCATENATION', attrs: { axis: -1, activation: 'none' }, inputs: [9, 9], outputs: [10] },
    { op: 'MUL', attrs: { activation: 'none' }, inputs: [0, 2], outputs: [11] },
  ];
  const s = inferShapes(graph(t, nodes)).tensors.map((x) => x.shape);
  assert.deepEqual(s[2], [1, 1, 1, 8]);
  assert.deepEqual(s[4], [1, 8]);
  assert.deepEqual(s[5], [8]);
  assert.deepEqual(s[7], [1, 3]);
  assert.deepEqual(s[9], [2, 5]);
  assert.deepEqual(s[10], [2, 10]);
  assert.deepEqual(s[11], [1, 7, 7, 8]);
  assert.deepEqual(broadcastShapes([4, 1, 3], [5, 1]), [4, 5, 3]);
  assert.equal(broadcastShapes([2, 3], [4, 3]), undefined);
});
