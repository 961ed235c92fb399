import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeTflite } from '../../src/formats/tflite/writer.js';
import { truncateAt } from '../../src/graph/rewrite.js';
import { embed, embedInput, featureInfo } from '../../src/tasks/embed.js';
import { embedFiles } from '../../src/tasks/embed_files.js';
import { loadModel } from '../../src/tasks/load.js';
import { encodeNpyF32 } from '../../src/formats/npy.js';
import { dataPath, sharedTflite, tmpDir } from '../helpers/data.js';
import { tfliteOracle } from '../helpers/oracle.js';

const IMAGES = ['n01440764_tench.JPEG', 'n01484850_great_white_shark.JPEG'].map((f) => dataPath('imagenet-sample', f));
const present = (p: string) => existsSync(p) || 'shared data missing';

// The quantized pooled tensor must equal, byte for byte, what the TFLite interpreter computes for the same
// input: the backbone is cut at the feature tensor, written as .tflite, and run by the interpreter.
for (const [name, path, images] of [
  ['v1-0.25-128-quant', sharedTflite.v1_025_128_quant, IMAGES],
  ['v3-small-1.0-224-uint8', sharedTflite.v3_small_uint8, IMAGES.slice(0, 1)],
  ['v2-1.0-224-uint8', sharedTflite.v2_uint8, IMAGES.slice(0, 1)],
] as const) {
  test(`embed: quantized pooled features of ${name} equal the TFLite interpreter's`, { skip: present(path) !== true && 'shared model missing' }, async () => {
    const model = await loadModel(path);
    const f = featureInfo(model);
    const oracle = tfliteOracle(writeTflite(truncateAt(model.graph, f.tensor)));
    const t = model.graph.tensors[f.tensor]!;
    for (const image of images) {
      const input = await model.preprocess(image);
      const [ours] = model.run(input, [f.tensor]);
      const theirs = oracle.run(input);
      assert.equal(ours!.length, f.dim);
      assert.deepStrictEqual(new Uint8Array(ours!.buffer), new Uint8Array(theirs.buffer), `${image}: pooled bytes differ`);
      const v = embedInput(model, input);
      const { scale, zeroPoint } = t.quant!;
      for (let i = 0; i < v.length; i++) assert.equal(v[i], Math.fround(scale[0]! * (theirs[i]! - zeroPoint[0]!)));
    }
  });
}

test('embed: float model (V1 0.25 float) pooled features match the interpreter within float tolerance', { skip: present(sharedTflite.v1_025_float) !== true && 'missing' }, async () => {
  const model = await loadModel(sharedTflite.v1_025_float);
  const f = featureInfo(model);
  assert.equal(f.dim, 256);
  const oracle = tfliteOracle(writeTflite(truncateAt(model.graph, f.tensor)));
  const input = await model.preprocess(IMAGES[0]!);
  const v = embedInput(model, input);
  const want = oracle.run(input) as Float32Array;
  let maxErr = 0;
  for (let i = 0; i < v.length; i++) maxErr = Math.max(maxErr, Math.abs(v[i]! - want[i]!));
  assert.ok(maxErr < 1e-3, `max abs error ${maxErr}`);
});

test('embed: normalize gives a unit vector in the same direction', { skip: present(sharedTflite.v1_025_128_quant) !== true && 'missing' }, async () => {
  const model = await loadModel(sharedTflite.v1_025_128_quant);
  const raw = await embed(model, IMAGES[0]!);
  const unit = await embed(model, IMAGES[0]!, { normalize: true });
  const norm = Math.hypot(...raw);
  assert.ok(norm > 0);
  assert.ok(Math.abs(Math.hypot(...unit) - 1) < 1e-5);
  for (let i = 0; i < raw.length; i++) assert.ok(Math.abs(unit[i]! - raw[i]! / norm) < 1e-6);
});

test('embedFiles: the cache returns the stored vectors; non-images are skipped and named', { skip: present(sharedTflite.v1_025_128_quant) !== true && 'missing' }, async () => {
  const dir = join(tmpDir, 'embed-cache-test');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const model = await loadModel(sharedTflite.v1_025_128_quant);
  const notImage = join(dir, 'notes.jpg');
  (await import('node:fs')).writeFileSync(notImage, 'not a picture');
  const files = [IMAGES[0]!, notImage, IMAGES[1]!];
  const first = await embedFiles(model, files, { cache: join(dir, 'cache'), augment: 1 });
  assert.equal(first.cacheHits, 0);
  assert.deepStrictEqual(first.skipped.map((s) => s.path), [notImage]);
  assert.match(first.skipped[0]!.error, /notes\.jpg.*not an image/);
  const second = await embedFiles(model, files, { cache: join(dir, 'cache'), augment: 1 });
  assert.equal(second.cacheHits, 4);
  assert.deepStrictEqual(second.files, first.files);
  // The original view is the plain embedding; the augmented one differs from it.
  assert.deepStrictEqual(first.files[0]!.vectors[0], await embed(model, IMAGES[0]!));
  assert.notDeepStrictEqual(first.files[0]!.vectors[1], first.files[0]!.vectors[0]);
});

test('encodeNpyF32: header and layout as numpy.save writes them', () => {
  const bytes = encodeNpyF32(Float32Array.from([0, 0.5, 1, 1.5, 2, 2.5]), [2, 3]);
  // numpy 2.4 np.save of np.arange(6, dtype='<f4').reshape(2, 3) * 0.5: 152 bytes, 118-byte header.
  assert.equal(bytes.length, 152);
  assert.deepStrictEqual(Array.from(bytes.subarray(0, 10)), [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x76, 0]);
  const header = new TextDecoder().decode(bytes.subarray(10, 128));
  assert.equal(header, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + ' '.repeat(58) + '\n');
  assert.equal(new DataView(bytes.buffer).getFloat32(128 + 4 * 3, true), 1.5);
  assert.throws(() => encodeNpyF32(new Float32Array(5), [2, 3]), /needs 6 values/);
});

test('featureInfo: a graph without a classifier on pooled features is refused', { skip: present(sharedTflite.v1_025_128_quant) !== true && 'missing' }, async () => {
  const model = await loadModel(new Uint8Array(readFileSync(sharedTflite.v1_025_128_quant)));
  const f = featureInfo(model);
  const cut = truncateAt(model.graph, f.tensor - 1);
  const { Model } = await import('../../src/tasks/model.js');
  assert.throws(() => featureInfo(new Model({ graph: cut, source: 'cut' })), /no pooled feature tensor/);
});
