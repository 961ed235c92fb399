import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readTflite } from '../../src/formats/tflite/index.js';
import { numElements, type Graph } from '../../src/graph/index.js';
import { inferShapes } from '../../src/graph/shape.js';
import { selectKernel } from '../../src/kernels/registry.js';
import { createWasmRuntime } from '../../src/runtime/wasm_runtime.js';
import { warmUp, warmUpNodes } from '../../src/runtime/warm_up.js';
import { sharedTflite } from '../helpers/data.js';

/** Output and constant input elements of node i. */
const size = (g: Graph, i: number) => {
  const n = g.nodes[i]!;
  return [n.outputs[0]!, ...n.inputs.filter((t) => t >= 0 && g.tensors[t]!.data)].reduce((a, t) => a + numElements(g.tensors[t]!.shape), 0);
};

test('warm-up nodes of MobileNetV2 uint8: the cheapest node of each WASM kernel used twice or more, GEMM first', () => {
  const g = inferShapes(readTflite(new Uint8Array(readFileSync(sharedTflite.v2_uint8))));
  const kernels = g.nodes.map((n) => selectKernel(n, g, 'wasm'));
  const picked = warmUpNodes(g, kernels);
  const names = picked.map((i) => kernels[i]!.name);
  // The stem convolution (im2col) and the pooling run once; RESHAPE is a reference kernel.
  assert.deepEqual([...names].sort(), ['add_u8_lut8x8', 'conv1x1_u8_gemm4x8_simd128', 'dwconv3x3_u8_simd128']);
  assert.equal(names[0], 'conv1x1_u8_gemm4x8_simd128');
  for (const i of picked) {
    const same = g.nodes.map((_, j) => j).filter((j) => kernels[j] === kernels[i]);
    assert.equal(Math.min(...same.map((j) => size(g, j))), size(g, i));
  }
  // The smallest 1x1 convolution: 192 -> 64 channels at 14x14 (not the 1280 x 1001 weights of the last one).
  assert.deepEqual(g.tensors[g.nodes[picked[0]!]!.outputs[0]!]!.shape, [1, 14, 14, 64]);
  assert.deepEqual(g.tensors[g.nodes[picked[0]!]!.inputs[1]!]!.shape, [64, 1, 1, 192]);
});

test('warm-up runs leave the heap as they found it', () => {
  const g = inferShapes(readTflite(new Uint8Array(readFileSync(sharedTflite.v2_uint8))));
  const kernels = g.nodes.map((n) => selectKernel(n, g, 'wasm'));
  const w = createWasmRuntime(1);
  for (const i of warmUpNodes(g, kernels)) {
    const params = kernels[i]!.prepare(g.nodes[i]!, g, { wasm: w });
    const end = w.heap.end;
    warmUp(w, g, g.nodes[i]!, kernels[i]!, params);
    assert.equal(w.heap.end, end);
  }
  w.dispose();
});
