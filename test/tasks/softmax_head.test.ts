import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../helpers/random.js';
import { predictLinear, standardization, trainSoftmax } from '../../src/tasks/softmax_head.js';
import type { VectorSet } from '../../src/tasks/softmax_head.js';

/** Gaussian clusters: class c is centred on a random mean per feature, with one constant feature. */
function clusters(classes: number, perClass: number, dim: number, seed: number, spread = 1): VectorSet {
  const rnd = mulberry32(seed);
  const centre = mulberry32(7);
  const means = Array.from({ length: classes }, () => Array.from({ length: dim }, () => 3 * (centre() - 0.5)));
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const set: VectorSet = { x: [], y: [] };
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const v = Float32Array.from(means[c]!, (m) => 10 + m + spread * gauss());
      v[0] = 5; // a constant feature: std 0 must not divide by zero
      set.x.push(v);
      set.y.push(c);
    }
  }
  return set;
}

function accuracy(head: Parameters<typeof predictLinear>[0], s: VectorSet): number {
  let ok = 0;
  s.x.forEach((v, i) => {
    const p = predictLinear(head, v);
    ok += p.indexOf(Math.max(...p)) === s.y[i] ? 1 : 0;
  });
  return ok / s.x.length;
}

test('standardization: per-feature mean and population std; constant features get std 1', () => {
  const { mean, std } = standardization([Float32Array.of(1, 5, 2), Float32Array.of(3, 5, 6)]);
  assert.deepStrictEqual(Array.from(mean), [2, 5, 4]);
  assert.deepStrictEqual(Array.from(std), [1, 1, 2]);
});

test('predictLinear: softmax of W·((x − mean)/std) + b computed by hand', () => {
  const head = { weights: Float32Array.of(1, 0, 0, 2), bias: Float32Array.of(0, 1), labels: ['a', 'b'], mean: Float32Array.of(1, 1), std: Float32Array.of(2, 1) };
  // z = ((3−1)/2, (2−1)/1) = (1, 1); logits = (1, 2 + 1) = (1, 3)
  const p = predictLinear(head, Float32Array.of(3, 2));
  assert.ok(Math.abs(p[0]! - 1 / (1 + Math.exp(2))) < 1e-6);
  assert.ok(Math.abs(p[1]! - Math.exp(2) / (1 + Math.exp(2))) < 1e-6);
});

test('trainSoftmax: learns separable clusters, generalises to fresh samples, deterministic', () => {
  const train = clusters(4, 40, 32, 1);
  const val = clusters(4, 10, 32, 2);
  const fresh = clusters(4, 50, 32, 3);
  const labels = ['a', 'b', 'c', 'd'];
  const r = trainSoftmax(train, labels, val, { seed: 5 });
  assert.ok(accuracy(r.head, fresh) >= 0.95, `accuracy ${accuracy(r.head, fresh)}`);
  assert.deepStrictEqual(r.head.labels, labels);
  assert.equal(r.head.weights.length, 4 * 32);
  const again = trainSoftmax(train, labels, val, { seed: 5 });
  assert.deepStrictEqual(again.head.weights, r.head.weights);
  // Mini-batch Adam: the seed orders the batches.
  const adam = trainSoftmax(train, labels, val, { seed: 5, optimizer: 'adam' });
  assert.ok(accuracy(adam.head, fresh) >= 0.95);
  assert.deepStrictEqual(trainSoftmax(train, labels, val, { seed: 5, optimizer: 'adam' }).head.weights, adam.head.weights);
  assert.notDeepStrictEqual(trainSoftmax(train, labels, val, { seed: 6, optimizer: 'adam' }).head.weights, adam.head.weights);
});

test('trainSoftmax: early stopping keeps the epoch of lowest validation loss', () => {
  // Overlapping clusters with few examples overfit: validation loss turns up and training stops early.
  const train = clusters(3, 8, 64, 11, 4);
  const val = clusters(3, 20, 64, 12, 4);
  const epochs: number[] = [];
  const r = trainSoftmax(train, ['a', 'b', 'c'], val, { epochs: 400, patience: 20, onEpoch: (e) => epochs.push(e.epoch) });
  assert.ok(r.epochsRun < 400, `ran ${r.epochsRun} epochs`);
  assert.equal(r.epochsRun, r.bestEpoch + 20);
  assert.equal(epochs.length, r.epochsRun);
  const losses = r.history.map((h) => h.valLoss!);
  assert.equal(Math.min(...losses), losses[r.bestEpoch - 1]);
  // The kept weights are those of the best epoch: their validation accuracy is the one recorded then.
  assert.equal(accuracy(r.head, val), r.history[r.bestEpoch - 1]!.valAccuracy);
});
