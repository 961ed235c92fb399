import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadModel } from '../../src/tasks/load.js';
import { dataPath, sharedTflite } from '../helpers/data.js';
import { assertMatchesInterpreter } from '../helpers/compare.js';
import { tfliteOracle } from '../helpers/oracle.js';

/** Every 50th shared ImageNet sample image (10 of 500, grayscale ones included by the stride). */
const samples = readFileSync(dataPath('imagenet-sample', 'labels.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .filter((_, i) => i % 50 === 7)
  .map((line) => dataPath('imagenet-sample', line.split(',')[0]!));

for (const [name, path] of Object.entries(sharedTflite).filter(([n]) => n !== 'v1_025_float')) {
  test(`${name}: default (fast) engine equals the TFLite interpreter on ImageNet sample images`, async () => {
    const model = await loadModel(path);
    const oracle = tfliteOracle(path);
    for (const image of samples) {
      const x = await model.preprocess(image);
      const want = oracle.run(x);
      const [got] = model.run(x);
      assertMatchesInterpreter(got, want, image);
    }
  });
}
