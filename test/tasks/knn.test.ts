import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { KnnClassifier, isKnnJson } from '../../src/tasks/knn.js';
import { loadModel } from '../../src/tasks/load.js';
import { ModelFormatError } from '../../src/errors.js';
import { dataPath, sharedTflite } from '../helpers/data.js';

const skip = !existsSync(sharedTflite.v1_025_128_quant) && 'shared model missing';
const vec = (...xs: number[]) => {
  const v = new Float32Array(256);
  xs.forEach((x, i) => (v[i] = x));
  return v;
};

test('KnnClassifier: cosine neighbours, distance-weighted and uniform votes', { skip }, async () => {
  const model = await loadModel(sharedTflite.v1_025_128_quant);
  const knn = new KnnClassifier(model, { k: 3 });
  knn.addVector(vec(1, 0), 'east');
  knn.addVector(vec(10, 1), 'east'); // length does not matter: cosine
  knn.addVector(vec(0, 1), 'north');
  knn.addVector(vec(0.1, 1), 'north');
  // Query at 30°: neighbours east (cos .866), east (.91), north (.5 / .58): east wins.
  const q = vec(Math.cos(Math.PI / 6), Math.sin(Math.PI / 6));
  const p = knn.predictVector(q);
  assert.equal(p.label, 'east');
  assert.ok(Math.abs(p.confidences.east! + p.confidences.north! - 1) < 1e-6);
  // Uniform: 2 of 3 votes.
  knn.weighting = 'uniform';
  assert.ok(Math.abs(knn.predictVector(q).confidences.east! - 2 / 3) < 1e-6);
  knn.k = 1;
  assert.equal(knn.predictVector(vec(0.05, 1)).label, 'north');
  knn.clearLabel('east');
  assert.deepStrictEqual(knn.labels, ['north']);
  assert.equal(knn.size, 2);
  assert.throws(() => knn.addVector(new Float32Array(3), 'x'), /3 values/);
});

test('KnnClassifier: save → load round trip predicts the same; JSON follows the documented format', { skip }, async () => {
  const model = await loadModel(sharedTflite.v1_025_128_quant);
  const knn = new KnnClassifier(model);
  await knn.addExample(dataPath('images', 'cat.bmp'), 'cat');
  await knn.addExample(dataPath('images', 'dog.jpg'), 'dog');
  await knn.addExample(dataPath('images', 'owl.jpg'), 'bird');
  const json = await knn.save();
  assert.equal(json.format, 'mobilenet-ts-knn');
  assert.equal(json.version, 1);
  assert.equal(json.backbone.name, 'v1-0.25-128-quant');
  assert.equal(json.backbone.sha256, 'cb273c23ee76374b05b9583177e28aa19744858a7679c56a250e83d0333da785');
  assert.equal(json.backbone.dim, 256);
  assert.match(json.backbone.featureTensor, /AvgPool/);
  assert.deepStrictEqual(json.labels, ['cat', 'dog', 'bird']);
  const text = JSON.stringify(json);
  assert.ok(isKnnJson(new TextEncoder().encode(text)));
  const back = await KnnClassifier.load(text, model);
  for (const img of ['resized_cat.bmp', 'parrot.jpg', 'hot_dog.jpg']) {
    assert.deepStrictEqual(await back.predict(dataPath('images', img)), await knn.predict(dataPath('images', img)));
  }
  assert.equal((await back.predict(dataPath('images', 'resized_cat.bmp'))).label, 'cat');
  // Vectors may also be plain number arrays.
  const plain = { ...json, examples: json.examples.map((e, i) => ({ label: e.label, vector: i === 0 ? Array.from(new Float32Array(256).fill(0.5)) : e.vector })) };
  assert.equal((await KnnClassifier.load(plain, model)).size, 3);
});

test('KnnClassifier.load: another backbone, or a malformed file, is a clear error', { skip }, async () => {
  const small = await loadModel(sharedTflite.v1_025_128_quant);
  const other = await loadModel(sharedTflite.v1_05_160_quant);
  const knn = new KnnClassifier(small);
  knn.addVector(vec(1), 'a');
  const json = await knn.save();
  await assert.rejects(KnnClassifier.load(json, other), (e: Error) => {
    assert.ok(e instanceof ModelFormatError);
    assert.match(e.message, /v1-0\.25-128-quant.*cb273c23/);
    assert.match(e.message, /mobilenet_v1_0\.5_160_quant.*3cc6d2ca/);
    return true;
  });
  const bad = async (j: unknown, re: RegExp) => assert.rejects(KnnClassifier.load(j, small), re);
  await bad('{', /not JSON/);
  await bad({ ...json, format: 'other' }, /not a kNN head/);
  await bad({ ...json, version: 2 }, /unsupported version 2/);
  await bad({ ...json, k: 0 }, /k must be a positive integer/);
  await bad({ ...json, examples: [] }, /no examples/);
  await bad({ ...json, examples: [{ label: 'zzz', vector: json.examples[0]!.vector }] }, /label 'zzz' not in labels/);
  await bad({ ...json, examples: [{ label: 'a', vector: 'AAAAAA==' }] }, /1 values, backbone.dim is 256/);
  await bad({ ...json, examples: [{ label: 'a', vector: '@@@' }] }, /base64/);
});
