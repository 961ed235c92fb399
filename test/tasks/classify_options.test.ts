import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topPredictions } from '../../src/tasks/scores.js';

const labels = ['background', ...Array.from({ length: 1000 }, (_, i) => `class ${i}`)];
const scores = Float32Array.from({ length: 1001 }, (_, i) => (i === 0 ? 0.5 : i === 7 ? 0.2 : i === 9 ? 0.1 : 0.2 / 998));
const labelOf = (i: number) => labels[i]!;

test('topPredictions: background never returned; topK and threshold', () => {
  const p = topPredictions(scores, { topK: 2 }, labelOf, labels);
  assert.deepEqual(p.map((x) => x.index), [7, 9]);
  assert.deepEqual(topPredictions(scores, { scoreThreshold: 0.15 }, labelOf, labels).map((x) => x.index), [7]);
});

test('topPredictions: allowlist and denylist by label or index', () => {
  assert.deepEqual(topPredictions(scores, { topK: 3, allowlist: ['class 8', 3] }, labelOf, labels).map((x) => x.index), [9, 3]);
  assert.deepEqual(topPredictions(scores, { topK: 1, denylist: [7] }, labelOf, labels).map((x) => x.label), ['class 8']);
});

test('topPredictions: a list without background keeps index 0', () => {
  const few = ['a', 'b'];
  assert.deepEqual(topPredictions([0.9, 0.1], {}, (i) => few[i]!, few).map((x) => x.label), ['a', 'b']);
});
