import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadModel } from '../../src/tasks/load.js';
import { dataPath, sharedTflite } from '../helpers/data.js';
import { assertMatchesInterpreter, maxRelDiff } from '../helpers/compare.js';
import assert from 'node:assert/strict';
import { readTflite, writeTflite } from '../../src/formats/tflite/index.js';
import { truncateAt } from '../../src/graph/index.js';
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

test('v1_025_float: logits within 1e-5 of the largest logit and probabilities within 1e-5 of the interpreter, fast and reference kernels', async () => {
  const path = sharedTflite.v1_025_float;
  const graph = readTflite(new Uint8Array(readFileSync(path)));
  const softmax = graph.nodes.find((n) => n.op === 'SOFTMAX')!;
  const logitsTensor = softmax.inputs[0]!;
  const logitsOracle = tfliteOracle(writeTflite(truncateAt(graph, logitsTensor)));
  const probsOracle = tfliteOracle(path);
  for (const variant of ['auto', 'ref'] as const) {
    const model = await loadModel(path, { session: { variant } });
    for (const image of samples) {
      const x = await model.preprocess(image);
      const [logits, probs] = model.run(x, [logitsTensor, graph.outputs[0]!]) as Float32Array[];
      const rel = maxRelDiff(logits!, logitsOracle.run(x) as Float32Array);
      assert.ok(rel <= 1e-5, `${variant} ${image}: logits differ by ${rel.toExponential(2)} of the largest`);
      const want = probsOracle.run(x) as Float32Array;
      for (let i = 0; i < want.length; i++) {
        assert.ok(Math.abs(probs![i]! - want[i]!) <= 1e-5, `${variant} ${image}: probability ${i} ${probs![i]} vs ${want[i]}`);
      }
    }
  }
});
