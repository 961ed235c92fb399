import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadModel } from '../../src/tasks/load.js';
import { dataPath, sharedTflite } from '../helpers/data.js';
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
      if (model.input.dtype === 'float32') {
        let maxAbs = 0;
        let maxDiff = 0;
        for (let i = 0; i < want.length; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(want[i]!));
          maxDiff = Math.max(maxDiff, Math.abs(Number(got![i]) - want[i]!));
        }
        assert.ok(maxDiff <= 1e-5 * maxAbs, `${image}: max difference ${maxDiff} vs max |output| ${maxAbs}`);
      } else {
        assert.deepEqual(
          Buffer.from(got!.buffer, got!.byteOffset, got!.byteLength),
          Buffer.from(want.buffer, want.byteOffset, want.byteLength),
          `${image}: output bytes differ`,
        );
      }
    }
  });
}
