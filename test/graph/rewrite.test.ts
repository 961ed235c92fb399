import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { MobilenetError } from '../../src/errors.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { appendNode, findFeatureTensor, truncateAt } from '../../src/graph/rewrite.js';
import { validateGraph } from '../../src/graph/validate.js';
import { sharedTflite } from '../helpers/data.js';

/** The pooled feature tensor of each shared model, as named and shaped in the files themselves. */
const FEATURES: Record<keyof typeof sharedTflite, { name: string; shape: number[]; producer: string }> = {
  v2_uint8: { name: 'MobilenetV2/Logits/AvgPool', shape: [1, 1, 1, 1280], producer: 'AVERAGE_POOL_2D' },
  // TF Hub's V3 feature vector: the 1024-wide output of the last 1x1 conv + hard-swish (after the pool).
  v3_small_uint8: { name: 'MobilenetV3/Logits/AvgPool', shape: [1, 1, 1, 1024], producer: 'AVERAGE_POOL_2D' },
  v1_025_float: { name: 'MobilenetV1/Logits/AvgPool_1a/AvgPool', shape: [1, 1, 1, 256], producer: 'AVERAGE_POOL_2D' },
  v2_ptq_int8: { name: 'MobileNetV2/top/GlobalPool/Mean', shape: [1, 1, 1, 1280], producer: 'MEAN' },
  v1_025_128_quant: { name: 'MobilenetV1/Logits/AvgPool_1a/AvgPool', shape: [1, 1, 1, 256], producer: 'AVERAGE_POOL_2D' },
  v1_05_160_quant: { name: 'MobilenetV1/Logits/AvgPool_1a/AvgPool', shape: [1, 1, 1, 512], producer: 'AVERAGE_POOL_2D' },
};

for (const [model, path] of Object.entries(sharedTflite) as [keyof typeof sharedTflite, string][]) {
  test(`findFeatureTensor + truncateAt: ${model}`, { skip: !existsSync(path) && 'shared model missing' }, () => {
    const g = readTflite(new Uint8Array(readFileSync(path)));
    const f = findFeatureTensor(g);
    assert.ok(f !== undefined);
    const want = FEATURES[model];
    const t = g.tensors[f]!;
    // The converter joins fused names with ';' — the feature tensor's own name comes first.
    assert.equal(t.name.split(';').find((n) => n.includes(want.name)) !== undefined, true, `${t.name} should name ${want.name}`);
    assert.deepStrictEqual(t.shape, want.shape);
    assert.equal(g.nodes.find((n) => n.outputs[0] === f)?.op, want.producer);

    const cut = truncateAt(g, f);
    validateGraph(cut);
    assert.equal(cut.outputs.length, 1);
    assert.deepStrictEqual(cut.tensors[cut.outputs[0]!], t);
    assert.equal(cut.nodes.at(-1)!.outputs[0], cut.outputs[0]);
    // Only the nodes after the feature tensor go: the classifier conv and what follows it.
    const cutAt = g.nodes.findIndex((n) => n.outputs[0] === f);
    assert.equal(cut.nodes.length, cutAt + 1);
    assert.ok(cut.nodes.every((n, k) => n.op === g.nodes[k]!.op && n.name === g.nodes[k]!.name));
    // Every tensor is used, the classifier weights are gone, and the labels went with the logits.
    const used = new Set([...cut.inputs, ...cut.nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
    assert.equal(used.size - (used.has(-1) ? 1 : 0), cut.tensors.length);
    assert.ok(!cut.tensors.some((x) => /Conv2d_1c_1x1|Conv2d_1x1_output/.test(x.name)));
    assert.equal(cut.meta.labels, undefined);
    assert.equal(cut.tensors[cut.inputs[0]!]!.name, g.tensors[g.inputs[0]!]!.name);
  });
}

function tinyGraph(): Graph {
  return {
    tensors: [
      { name: 'x', dtype: 'float32', shape: [1, 2, 2, 3] },
      { name: 'axes', dtype: 'int32', shape: [2], data: Int32Array.of(1, 2) },
      { name: 'pool', dtype: 'float32', shape: [1, 3] },
      { name: 'w', dtype: 'float32', shape: [4, 3], data: new Float32Array(12) },
      { name: 'unused', dtype: 'float32', shape: [1], data: new Float32Array(1) },
      { name: 'logits', dtype: 'float32', shape: [1, 4] },
      { name: 'probs', dtype: 'float32', shape: [1, 4] },
    ],
    nodes: [
      { op: 'MEAN', attrs: { keepDims: false }, inputs: [0, 1], outputs: [2], name: 'pool' },
      { op: 'FULLY_CONNECTED', attrs: { activation: 'none', keepNumDims: false }, inputs: [2, 3, -1], outputs: [5], name: 'logits' },
      { op: 'SOFTMAX', attrs: { beta: 1 }, inputs: [5], outputs: [6], name: 'probs' },
    ],
    inputs: [0],
    outputs: [6],
    meta: { format: 'test', labels: ['a', 'b', 'c', 'd'], featureTensor: 5 },
  };
}

describe('graph rewrites on a small graph', () => {
  test('meta.featureTensor is preferred; without it the classifier input is found', () => {
    const g = tinyGraph();
    assert.equal(findFeatureTensor(g), 5);
    delete g.meta.featureTensor;
    assert.equal(findFeatureTensor(g), 2);
  });

  test('no classifier, or an unpooled classifier input: undefined', () => {
    const g = tinyGraph();
    delete g.meta.featureTensor;
    g.nodes = [g.nodes[0]!];
    g.outputs = [2];
    assert.equal(findFeatureTensor(g), undefined);
  });

  test('truncateAt drops unused constants, renumbers, keeps meta except labels', () => {
    const g = tinyGraph();
    const cut = truncateAt(g, 2);
    assert.deepStrictEqual(cut.tensors.map((t) => t.name), ['x', 'axes', 'pool']);
    assert.deepStrictEqual(cut.nodes, [g.nodes[0]]);
    assert.deepStrictEqual(cut.outputs, [2]);
    assert.equal(cut.meta.labels, undefined);
    assert.equal(cut.meta.featureTensor, undefined);
    assert.deepStrictEqual(g.meta.labels, ['a', 'b', 'c', 'd'], 'the original is left alone');
    const cut2 = truncateAt(g, 5);
    assert.deepStrictEqual(cut2.tensors.map((t) => t.name), ['x', 'axes', 'pool', 'w', 'logits']);
    assert.deepStrictEqual(cut2.nodes[1]!.inputs, [2, 3, -1]);
    assert.equal(cut2.meta.featureTensor, 4);
  });

  test('bad tensors are refused with a clear error', () => {
    const g = tinyGraph();
    assert.throws(() => truncateAt(g, 99), (e: Error) => e instanceof MobilenetError && /tensor 99 out of range/.test(e.message));
    assert.throws(() => truncateAt(g, 4), (e: Error) => e instanceof MobilenetError && /'unused' is not computed/.test(e.message));
    assert.throws(
      () => appendNode(g, 'RELU', {}, [42], { name: 'r', dtype: 'float32', shape: [1, 4] }),
      (e: Error) => e instanceof MobilenetError && /appendNode RELU input 0: tensor 42 out of range/.test(e.message),
    );
  });

  test('appendNode adds a valid node after the others', () => {
    const g = tinyGraph();
    const r = appendNode(g, 'RELU', {}, [6], { name: 'r', dtype: 'float32', shape: [1, 4] });
    assert.equal(r, 7);
    g.outputs = [r];
    validateGraph(g);
    assert.deepStrictEqual(g.nodes.at(-1), { op: 'RELU', attrs: {}, inputs: [6], outputs: [7], name: 'r' });
  });
});
