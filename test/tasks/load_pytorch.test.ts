import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from '../../src/errors.js';
import { readTorchStateDict } from '../../src/formats/pytorch/index.js';
import { graphFromTorchvisionStateDict } from '../../src/models/torchvision.js';
import { loadModel } from '../../src/tasks/load.js';
import { projectRoot } from '../helpers/data.js';

const dir = join(projectRoot, 'test', 'fixtures', 'torch');
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
  resolution: number;
  inputs: { file: string; shape: number[] };
  models: { name: string; family: string; width_mult: number; files: Record<string, string>; logits: { file: string; shape: number[] } }[];
};

function f32(file: string): Float32Array {
  const b = readFileSync(join(dir, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** NCHW -> NHWC for one image of the fixture batch. */
function nhwc(all: Float32Array, shape: number[], k: number): Float32Array {
  const [, c, h, w] = shape as [number, number, number, number];
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[(y * w + x) * c + ch] = all[k * c * h * w + ch * h * w + y * w + x]!;
  return out;
}

for (const m of index.models) {
  for (const [kind, file] of Object.entries(m.files)) {
    test(`loadModel(${file}) infers ${m.family} width ${m.width_mult} and gives torchvision's logits (${kind})`, async () => {
      const model = await loadModel(join(dir, file), { resolution: index.resolution });
      assert.equal(model.graph.meta.format, 'pytorch');
      assert.equal(model.graph.meta.name, `torchvision ${m.family} width ${m.width_mult}`);
      const inputs = f32(index.inputs.file);
      const ref = f32(m.logits.file);
      const classes = m.logits.shape[1]!;
      for (let k = 0; k < m.logits.shape[0]!; k++) {
        const [out] = model.run(nhwc(inputs, index.inputs.shape, k));
        const want = ref.subarray(k * classes, (k + 1) * classes);
        const scale = Math.max(...Array.from(want, Math.abs));
        for (let i = 0; i < classes; i++) {
          assert.ok(Math.abs((out as Float32Array)[i]! - want[i]!) <= 1e-4 * scale, `logit ${i}: ${(out as Float32Array)[i]} vs ${want[i]}`);
        }
      }
    });
  }
}

test('a state dict with missing, extra and mis-shaped keys is rejected, naming them', () => {
  const m = index.models.find((x) => x.family === 'v2')!;
  const sd = readTorchStateDict(new Uint8Array(readFileSync(join(dir, m.files.zip!))));
  sd.delete('features.3.conv.1.1.running_var');
  sd.set('head.extra.weight', { dtype: 'float32', shape: [2], data: new Float32Array(2) });
  const w = sd.get('classifier.1.bias')!;
  sd.set('classifier.1.bias', { ...w, shape: [w.shape[0]! + 1], data: new Float32Array(w.shape[0]! + 1) });
  assert.throws(
    () => graphFromTorchvisionStateDict(sd, 'bad.pth', index.resolution),
    (e: unknown) =>
      e instanceof ModelFormatError &&
      /missing keys: features\.3\.conv\.1\.1\.running_var/.test(e.message) &&
      /unexpected keys: head\.extra\.weight/.test(e.message) &&
      /mis-shaped: classifier\.1\.bias/.test(e.message),
  );
});

test('a state dict of another network is rejected', () => {
  const sd = readTorchStateDict(new Uint8Array(readFileSync(join(dir, 'dtypes.pt'))));
  assert.throws(() => graphFromTorchvisionStateDict(sd, 'other.pth'), /not a torchvision mobilenet_v2/);
});
