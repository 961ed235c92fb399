import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { readTfjsLayersModel, tfjsLayersToGraph } from '../../src/formats/tfjs/index.js';
import { validateGraph } from '../../src/graph/validate.js';
import { Session } from '../../src/runtime/index.js';
import { maxRelDiff } from '../helpers/compare.js';
import { dataPath } from '../helpers/data.js';

// The shared Keras MobileNetV1 0.25 (TF.js layers format) run by @tensorflow/tfjs and by our engine
// on shared photos: logits (conv_preds), pooled features and softmax outputs.
const dir = dataPath('models', 'mobilenet_v1_0.25_224_tfjs_layers');
const images = ['dog.jpg', 'owl.jpg', 'parrot.jpg'];

async function pixels(file: string): Promise<Float32Array> {
  const raw = await sharp(dataPath('images', file)).removeAlpha().resize(224, 224, { fit: 'fill' }).raw().toBuffer();
  return Float32Array.from(raw, (v) => v / 127.5 - 1);
}

const argmax = (a: Float32Array): number => a.reduce((b, v, i) => (v > a[b] ? i : b), 0);

describe('shared TF.js MobileNetV1 0.25: our engine vs @tensorflow/tfjs', () => {
  let ref: tf.LayersModel;
  before(async () => {
    await tf.setBackend('cpu');
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    const data = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
    ref = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.length),
      }),
    );
  });

  it('reads every weight of the manifest and converts to a valid, folded graph', async () => {
    const m = await readTfjsLayersModel(join(dir, 'model.json'));
    assert.equal(m.weights.size, 137);
    assert.deepEqual(m.weights.get('conv1/kernel')!.shape, [3, 3, 3, 8]);
    assert.deepEqual(m.weights.get('conv_preds/kernel')!.shape, [1, 1, 256, 1000]);
    const g = tfjsLayersToGraph(m);
    validateGraph(g);
    const ops = g.nodes.map((n) => n.op);
    assert.equal(ops.filter((o) => o === 'MUL' || o === 'ADD').length, 0, 'every batch norm folded');
    assert.equal(ops.filter((o) => o === 'CONV_2D').length, 15);
    assert.equal(ops.filter((o) => o === 'DEPTHWISE_CONV_2D').length, 13);
    assert.deepEqual(g.tensors[g.outputs[0]].shape, [1, 1000]);
    assert.deepEqual(g.tensors[g.meta.featureTensor!].shape, [1, 256]);
    assert.equal(g.meta.format, 'tfjs');
  });

  it('logits, features and probabilities match TF.js to 1e-4 relative on shared photos', async () => {
    const g = tfjsLayersToGraph(await readTfjsLayersModel(join(dir, 'model.json')));
    const session = new Session(g);
    const logitsT = g.nodes.find((n) => n.op === 'SOFTMAX')!.inputs[0];
    const probe = tf.model({
      inputs: ref.inputs,
      outputs: [ref.getLayer('conv_preds').output as tf.SymbolicTensor, ref.getLayer('global_average_pooling2d_1').output as tf.SymbolicTensor, ref.outputs[0]],
    });
    for (const file of images) {
      const x = await pixels(file);
      const [logits, feats, probs] = session.run([x], [logitsT, g.meta.featureTensor!, g.outputs[0]]) as Float32Array[];
      const want = (probe.predict(tf.tensor4d(x, [1, 224, 224, 3])) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array);
      const rel = [maxRelDiff(logits, want[0]), maxRelDiff(feats, want[1]), maxRelDiff(probs, want[2])];
      if (process.env.SHOW_FIGURES) console.log(`${file}: relative differences logits/features/probs ${rel.map((r) => r.toExponential(2)).join(' ')}; top-1 ${argmax(probs)}`);
      rel.forEach((r, i) => assert.ok(r <= 1e-4, `${file} ${['logits', 'features', 'probabilities'][i]}: ${r}`));
      assert.equal(argmax(probs), argmax(want[2]), `${file}: top-1`);
    }
  });
});
