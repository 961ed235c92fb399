import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { readTflite } from '../../src/formats/tflite/index.js';
import { numElements, type TypedArray } from '../../src/graph/index.js';
import { Session } from '../../src/runtime/index.js';
import { dataPath, sharedTflite } from '../helpers/data.js';
import { randomBytes } from '../helpers/random.js';
import { assertMatchesInterpreter } from '../helpers/compare.js';
import { tfliteOracle } from '../helpers/oracle.js';

/** Raw RGB pixels of a photo squashed to w×h. */
async function photoPixels(file: string, w: number, h: number): Promise<Uint8Array> {
  const buf = await sharp(dataPath('images', file)).removeAlpha().resize(w, h, { fit: 'fill' }).raw().toBuffer();
  return new Uint8Array(buf);
}

const photos = ['parrot.jpg', 'hot_dog.jpg'];

for (const [name, path] of Object.entries(sharedTflite)) {
  describe(`TFLite oracle: ${name}`, { skip: !existsSync(path) && 'shared model missing' }, () => {
    test('reference kernels reproduce the interpreter output', async () => {
      const bytes = new Uint8Array(readFileSync(path));
      const session = new Session(readTflite(bytes), { variant: 'ref' });
      const oracle = tfliteOracle(bytes);
      const input = session.graph.tensors[session.graph.inputs[0]!]!;
      const [, h, w] = input.shape as [number, number, number, number];
      const n = numElements(input.shape);
      const pixelSets = [randomBytes(n, 1), randomBytes(n, 2), ...(await Promise.all(photos.map((p) => photoPixels(p, w, h))))];
      for (const [k, pixels] of pixelSets.entries()) {
        const x: TypedArray =
          input.dtype === 'float32' ? Float32Array.from(pixels, (p) => (p - 127.5) / 127.5) : Uint8Array.from(pixels);
        const want = oracle.run(x);
        const [got] = session.run([x]);
        assertMatchesInterpreter(got, want, `input ${k}`);
      }
    });
  });
}
