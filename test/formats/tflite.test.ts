import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseLabels } from '../../src/formats/labels.js';
import { isTflite, readTflite } from '../../src/formats/tflite/index.js';
import type { Graph } from '../../src/graph/graph.js';
import type { OpName } from '../../src/graph/ops.js';
import { numElements } from '../../src/graph/tensor.js';
import { dataPath, sharedTflite } from '../helpers/data.js';

type Model = keyof typeof sharedTflite;

interface Io {
  name?: string;
  dtype: string;
  shape: number[];
  scale?: number;
  zeroPoint?: number;
}

/** What MANIFEST.md states about each shared model (from an independent inspection of the files). */
const EXPECTED: Record<Model, { ops: Partial<Record<OpName, number>>; input: Io; output: Io; coral: boolean }> = {
  v2_uint8: {
    ops: { CONV_2D: 36, DEPTHWISE_CONV_2D: 17, ADD: 10, AVERAGE_POOL_2D: 1, RESHAPE: 1 },
    input: { name: 'input', dtype: 'uint8', shape: [1, 224, 224, 3], scale: 0.0078125, zeroPoint: 128 },
    output: { name: 'output', dtype: 'uint8', shape: [1, 1001], scale: 0.0989, zeroPoint: 58 },
    coral: false,
  },
  v3_small_uint8: {
    ops: { CONV_2D: 43, HARD_SWISH: 19, DEPTHWISE_CONV_2D: 11, AVERAGE_POOL_2D: 11, ADD: 15, MUL: 18, RESHAPE: 1, SOFTMAX: 1 },
    input: { dtype: 'uint8', shape: [1, 224, 224, 3], scale: 1 / 127, zeroPoint: 128 },
    output: { name: 'MobilenetV3/Predictions/Softmax', dtype: 'uint8', shape: [1, 1001], scale: 1 / 256, zeroPoint: 0 },
    coral: false,
  },
  v1_025_float: {
    ops: { CONV_2D: 15, DEPTHWISE_CONV_2D: 13, AVERAGE_POOL_2D: 1, SQUEEZE: 1, SOFTMAX: 1 },
    input: { name: 'input', dtype: 'float32', shape: [1, 224, 224, 3] },
    output: { name: 'MobilenetV1/Predictions/Reshape_1', dtype: 'float32', shape: [1, 1001] },
    coral: false,
  },
  v2_ptq_int8: {
    ops: { QUANTIZE: 2, CONV_2D: 36, DEPTHWISE_CONV_2D: 17, ADD: 10, MEAN: 1, RESHAPE: 1, SOFTMAX: 1 },
    input: { name: 'input', dtype: 'uint8', shape: [1, 224, 224, 3], scale: 1 / 127.5, zeroPoint: 127 },
    output: { name: 'Identity', dtype: 'uint8', shape: [1, 1001], scale: 1 / 256, zeroPoint: 0 },
    coral: true,
  },
  v1_025_128_quant: {
    ops: { CONV_2D: 15, DEPTHWISE_CONV_2D: 13, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 },
    input: { dtype: 'uint8', shape: [1, 128, 128, 3], scale: 1 / 128, zeroPoint: 128 },
    output: { name: 'MobilenetV1/Predictions/Reshape_1', dtype: 'uint8', shape: [1, 1001], scale: 1 / 256, zeroPoint: 0 },
    coral: true,
  },
  v1_05_160_quant: {
    ops: { CONV_2D: 15, DEPTHWISE_CONV_2D: 13, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 },
    input: { dtype: 'uint8', shape: [1, 160, 160, 3], scale: 1 / 128, zeroPoint: 128 },
    output: { name: 'MobilenetV1/Predictions/Reshape_1', dtype: 'uint8', shape: [1, 1001], scale: 1 / 256, zeroPoint: 0 },
    coral: true,
  },
};

function checkIo(g: Graph, index: number, want: Io, what: string): void {
  const t = g.tensors[index]!;
  if (want.name !== undefined) assert.equal(t.name, want.name, `${what} name`);
  assert.equal(t.dtype, want.dtype, `${what} dtype`);
  assert.deepEqual(t.shape, want.shape, `${what} shape`);
  if (want.scale === undefined) {
    assert.equal(t.quant, undefined, `${what} has no quantization`);
  } else {
    assert.ok(t.quant, `${what} quantization`);
    assert.equal(t.quant.scale.length, 1);
    assert.ok(Math.abs(t.quant.scale[0]! - want.scale) < 1e-4 * want.scale + 1e-6, `${what} scale ${t.quant.scale[0]} vs ${want.scale}`);
    assert.deepEqual(t.quant.zeroPoint, [want.zeroPoint]);
  }
}

const labelsTxt = parseLabels(readFileSync(dataPath('models', 'labels.txt'), 'utf8'));
const graphs = new Map<Model, Graph>();

describe('readTflite on the shared models', () => {
  for (const model of Object.keys(sharedTflite) as Model[]) {
    test(model, () => {
      const bytes = readFileSync(sharedTflite[model]);
      assert.ok(isTflite(bytes));
      const g = readTflite(bytes, { source: model });
      graphs.set(model, g);
      const want = EXPECTED[model];

      const counts: Partial<Record<OpName, number>> = {};
      for (const node of g.nodes) counts[node.op] = (counts[node.op] ?? 0) + 1;
      assert.deepEqual(counts, want.ops);
      assert.equal(g.inputs.length, 1);
      assert.equal(g.outputs.length, 1);
      checkIo(g, g.inputs[0]!, want.input, 'input');
      checkIo(g, g.outputs[0]!, want.output, 'output');
      assert.equal(g.meta.format, 'tflite');

      // Every node reads constants of the right size; filters follow the IR layouts.
      for (const node of g.nodes) {
        if (node.op !== 'CONV_2D' && node.op !== 'DEPTHWISE_CONV_2D' && node.op !== 'FULLY_CONNECTED') continue;
        const x = g.tensors[node.inputs[0]!]!;
        const w = g.tensors[node.inputs[1]!]!;
        const y = g.tensors[node.outputs[0]!]!;
        assert.ok(w.data, `${node.name}: filter is a constant`);
        assert.equal(w.data.length, numElements(w.shape));
        if (node.op === 'CONV_2D') {
          assert.equal(w.shape[0], y.shape[3], `${node.name}: OHWI filter O = output channels`);
          assert.equal(w.shape[3], x.shape[3], `${node.name}: OHWI filter I = input channels`);
        } else if (node.op === 'DEPTHWISE_CONV_2D') {
          assert.equal(w.shape[0], 1, `${node.name}: 1HWC depthwise filter`);
          assert.equal(w.shape[3], y.shape[3]);
          assert.equal(node.attrs.depthMultiplier * x.shape[3]!, w.shape[3]);
        }
        const bias = node.inputs[2];
        if (bias !== undefined && bias !== -1) {
          const b = g.tensors[bias]!;
          assert.deepEqual(b.shape, [y.shape[3]]);
          assert.equal(b.dtype, want.input.dtype === 'float32' ? 'float32' : 'int32');
        }
      }

      if (want.coral) {
        assert.equal(g.meta.name, 'ImageClassifier');
        assert.deepEqual(g.meta.normalization, { mean: [127.5], std: [127.5] });
        const labels = g.meta.labels!;
        assert.equal(labels.length, 1001);
        assert.equal(labels[0], 'background');
        assert.match(labels[1]!, /^tench\b/);
        assert.deepEqual(labels, labelsTxt, 'embedded labels equal models/labels.txt without its N: prefixes');
      } else {
        assert.equal(g.meta.labels, undefined);
        assert.equal(g.meta.normalization, undefined);
      }
    });
  }

  test('uint8 QAT models are per-tensor; the TF2 PTQ model has per-channel int8 filters', () => {
    for (const model of ['v2_uint8', 'v3_small_uint8', 'v1_025_128_quant', 'v1_05_160_quant'] as const) {
      const g = graphs.get(model) ?? readTflite(readFileSync(sharedTflite[model]));
      assert.ok(g.tensors.every((t) => !t.quant || t.quant.scale.length === 1), model);
      assert.ok(g.tensors.filter((t) => t.data && t.quant).every((t) => t.dtype === 'uint8' || t.dtype === 'int32'), model);
    }
    const g = graphs.get('v2_ptq_int8') ?? readTflite(readFileSync(sharedTflite.v2_ptq_int8));
    let filters = 0;
    for (const node of g.nodes) {
      if (node.op !== 'CONV_2D' && node.op !== 'DEPTHWISE_CONV_2D') continue;
      const w = g.tensors[node.inputs[1]!]!;
      assert.equal(w.dtype, 'int8');
      assert.ok(w.quant && w.quant.scale.length > 1, `${node.name}: per-channel`);
      // Per-channel along the output channels: O of OHWI, C (axis 3) of 1HWC.
      assert.equal(w.quant.axis, node.op === 'CONV_2D' ? 0 : 3);
      assert.equal(w.quant.scale.length, w.shape[w.quant.axis]);
      assert.ok(w.quant.zeroPoint.every((z) => z === 0), 'symmetric int8 filters');
      filters++;
    }
    assert.equal(filters, 53, 'MANIFEST: per-channel scales on all 53 conv/depthwise layers');
  });

  test('MANIFEST: tensor 6 of the v2 uint8 model is the pooled feature vector', () => {
    const g = graphs.get('v2_uint8') ?? readTflite(readFileSync(sharedTflite.v2_uint8));
    assert.equal(g.tensors[6]!.name, 'MobilenetV2/Logits/AvgPool');
    assert.deepEqual(g.tensors[6]!.shape, [1, 1, 1, 1280]);
  });

  test('float model: float32 weights, finite, not all zero', () => {
    const g = graphs.get('v1_025_float') ?? readTflite(readFileSync(sharedTflite.v1_025_float));
    const consts = g.tensors.filter((t) => t.data);
    assert.ok(consts.length > 0);
    for (const t of consts) {
      if (t.dtype !== 'float32') continue;
      const d = t.data as Float32Array;
      assert.ok(d instanceof Float32Array);
      assert.ok(d.every(Number.isFinite), t.name);
    }
    const total = consts.reduce((s, t) => s + t.data!.length, 0);
    // MobileNet V1 0.25 has about 0.47 M parameters.
    assert.ok(total > 400_000 && total < 550_000, `parameters: ${total}`);
  });
});

describe('readTflite against the TFLite interpreter', () => {
  test('input and output names and shapes agree with tfjs-tflite-node', async () => {
    const tfl = await import('tfjs-tflite-node');
    for (const model of Object.keys(sharedTflite) as Model[]) {
      const bytes = readFileSync(sharedTflite[model]);
      const ref = await tfl.loadTFLiteModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const g = graphs.get(model) ?? readTflite(bytes);
      assert.deepEqual(
        g.inputs.map((i) => [g.tensors[i]!.name, g.tensors[i]!.shape]),
        ref.inputs.map((t) => [t.name, t.shape]),
        model,
      );
      assert.deepEqual(
        g.outputs.map((i) => [g.tensors[i]!.name, g.tensors[i]!.shape]),
        ref.outputs.map((t) => [t.name, t.shape]),
        model,
      );
    }
  });
});
