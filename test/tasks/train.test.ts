import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeImage } from '../../src/formats/image/index.js';
import { embed } from '../../src/tasks/embed.js';
import { loadModel } from '../../src/tasks/load.js';
import { splitValidation, trainClassifier } from '../../src/tasks/train.js';
import { sharedTflite, tmpDir } from '../helpers/data.js';
import { flowerSubset, flowers } from './flower_subset.js';

const skip = (!existsSync(flowers) || !existsSync(sharedTflite.v1_025_128_quant)) && 'shared data missing';
const CLASSES = ['daisy', 'sunflowers'];

const subset = (split: 'train' | 'test', n: number, dest: string) => flowerSubset(split, CLASSES, n, dest);

test('splitValidation: stratified, seeded, never a whole class', () => {
  const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2];
  const a = splitValidation(labels, 3, 0.2, 0);
  assert.deepStrictEqual(a, splitValidation(labels, 3, 0.2, 0));
  assert.equal(a.filter((v, i) => v && labels[i] === 0).length, 2);
  assert.equal(a.filter((v, i) => v && labels[i] === 1).length, 1);
  assert.equal(a.filter((v, i) => v && labels[i] === 2).length, 0);
  assert.notDeepStrictEqual(splitValidation(labels, 3, 0.5, 0), splitValidation(labels, 3, 0.5, 1));
});

test('trainClassifier: softmax and kNN heads on two flower classes with the small model', { skip }, async () => {
  const cache = join(tmpDir, 'train-test', 'cache');
  const trainDir = subset('train', 15, join(tmpDir, 'train-test', 'train'));
  const testDir = join(flowers, 'test');
  const model = await loadModel(sharedTflite.v1_025_128_quant);
  const soft = await trainClassifier(model, trainDir, { cache });
  assert.deepStrictEqual(soft.labels, CLASSES);
  assert.deepStrictEqual(soft.imagesPerClass, [15, 15]);
  assert.equal(soft.validation!.images, 6);
  assert.equal(soft.trainVectors, 30); // refit on all images after early stopping
  const heldOut = await trainClassifier(model, trainDir, { cache, refit: false });
  assert.equal(heldOut.trainVectors, 24);
  assert.equal(heldOut.bestEpoch, soft.bestEpoch);
  assert.notDeepStrictEqual(heldOut.head!.weights, soft.head!.weights);
  const knn = await trainClassifier(model, trainDir, { head: 'knn', cache });
  assert.equal(knn.trainVectors, 30);
  assert.ok(knn.cacheHits >= 30);
  let okSoft = 0;
  let okKnn = 0;
  let n = 0;
  for (const [c, cls] of CLASSES.entries()) {
    for (const f of readdirSync(join(testDir, cls)).sort().slice(0, 8)) {
      const img = join(testDir, cls, f);
      okSoft += (await soft.classifier.classify(img, { topK: 1 }))[0]!.index === c ? 1 : 0;
      okKnn += (await knn.classifier.classify(img, { topK: 1 }))[0]!.index === c ? 1 : 0;
      n++;
    }
  }
  assert.ok(okSoft / n >= 0.8, `softmax ${okSoft}/${n}`);
  assert.ok(okKnn / n >= 0.8, `kNN ${okKnn}/${n}`);
  // Same data and seed: the same head.
  const again = await trainClassifier(model, trainDir, { cache });
  assert.deepStrictEqual(again.head!.weights, soft.head!.weights);
});

test('trainClassifier: labelled examples (decoded images) with augmentation', { skip }, async () => {
  const model = await loadModel(sharedTflite.v1_025_128_quant);
  const examples = [];
  for (const c of CLASSES) {
    for (const f of readdirSync(join(flowers, 'train', c)).sort().slice(0, 4)) {
      examples.push({ image: await decodeImage(join(flowers, 'train', c, f)), label: c });
    }
  }
  const r = await trainClassifier(model, examples, { head: 'knn', augment: 2, k: 1 });
  assert.equal(r.trainVectors, 8 * 3);
  // k=1 on a training image finds itself: the original view is stored as is.
  const p = await (r.classifier as import('../../src/tasks/knn.js').KnnClassifier).predictVector(await embed(model, examples[5]!.image));
  assert.equal(p.label, 'sunflowers');
  assert.equal(p.confidences.sunflowers, 1);
  await assert.rejects(trainClassifier(model, examples.slice(0, 4)), /1 label \('daisy'\)/);
  await assert.rejects(trainClassifier(model, examples, { valSplit: 1 }), /validation split/);
});
