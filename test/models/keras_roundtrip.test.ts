import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTfjsLayersModel, tfjsLayersToGraph } from '../../src/formats/tfjs/index.js';
import { decodeImage } from '../../src/formats/image/index.js';
import { resizeForModelFloat, toFloatInput } from '../../src/models/preprocess.js';
import { buildKerasMobilenetV1 } from '../../src/models/keras_v1.js';
import { Session } from '../../src/runtime/index.js';
import { dataPath } from '../helpers/data.js';

test('builder V1 0.25 224 with the TF.js checkpoint runs like the TF.js model loaded directly', async () => {
  const m = await readTfjsLayersModel(dataPath('models', 'mobilenet_v1_0.25_224_tfjs_layers', 'model.json'));
  const direct = new Session(tfjsLayersToGraph(m));
  const built = new Session(buildKerasMobilenetV1(m.weights, 0.25, 224, 'tfjs v1 0.25'));
  for (const name of ['dog.jpg', 'parrot.jpg', 'cat.bmp']) {
    const img = await decodeImage(dataPath('images', name));
    const x = toFloatInput(resizeForModelFloat(img, { width: 224, height: 224, mode: 'central-crop' }), [127.5], [127.5]);
    const [a] = direct.run([x]) as Float32Array[];
    const [b] = built.run([x]) as Float32Array[];
    assert.equal(a!.length, 1000);
    assert.equal(b!.length, 1000);
    let worst = 0;
    for (let i = 0; i < 1000; i++) worst = Math.max(worst, Math.abs(a![i]! - b![i]!));
    const top = (v: Float32Array) => v.indexOf(Math.max(...v));
    assert.equal(top(b!), top(a!), name);
    assert.ok(worst <= 1e-5, `${name}: max abs difference ${worst}`);
  }
});
