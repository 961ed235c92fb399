import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ShapeError } from '../../src/errors.js';
import { decodeImage, type RgbImage } from '../../src/formats/image/index.js';
import {
  resizeForModel,
  resizeForModelFloat,
  toFloatInput,
  toNchwFloat,
  type PreprocessOptions,
} from '../../src/models/preprocess.js';
import { dataPath } from '../helpers/data.js';
import { randomBytes } from '../helpers/random.js';

before(async () => {
  await tf.setBackend('cpu');
});

function randomImage(width: number, height: number, seed: number): RgbImage {
  return { width, height, data: randomBytes(width * height * 3, seed) };
}

/** TF.js resizeBilinear of a region [top, left, height, width] of the image, as a flat array. */
function tfjsResize(
  img: RgbImage,
  size: [number, number],
  halfPixelCenters: boolean,
  region?: [number, number, number, number],
): Float32Array {
  return tf.tidy(() => {
    let t: tf.Tensor3D = tf.tensor3d(Float32Array.from(img.data), [img.height, img.width, 3]);
    if (region) t = tf.slice(t, [region[0], region[1], 0], [region[2], region[3], 3]);
    return tf.image.resizeBilinear(t, size, false, halfPixelCenters).dataSync() as Float32Array;
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Cuts a window out of a flat HWC array. */
function window(data: Float32Array, w: number, top: number, left: number, h: number, ww: number): Float32Array {
  const out = new Float32Array(h * ww * 3);
  for (let y = 0; y < h; y++) out.set(data.subarray(((top + y) * w + left) * 3, ((top + y) * w + left + ww) * 3), y * ww * 3);
  return out;
}

const awkward: [number, number, number, number][] = [
  // source w, h → target w, h
  [37, 23, 16, 9],
  [5, 3, 17, 13],
  [1, 1, 4, 4],
  [100, 1, 7, 3],
  [341, 512, 224, 224],
  [224, 224, 224, 224],
  [97, 61, 128, 160],
];

describe('bilinear resize (TF1 resize_bilinear, align_corners=False, half_pixel_centers=False)', () => {
  test('hand-computed 1-D cases from the formula source = out · in/out', () => {
    const row = (values: number[]): RgbImage => ({
      width: values.length,
      height: 1,
      data: Uint8Array.from(values.flatMap((v) => [v, v, v])),
    });
    const up = resizeForModelFloat(row([0, 100]), { width: 4, height: 1, mode: 'resize' });
    // positions 0, 0.5, 1, 1.5 → 0, 50, 100, 100 (the upper neighbour is clamped to the last pixel)
    assert.deepEqual([...up.data].filter((_, i) => i % 3 === 0), [0, 50, 100, 100]);
    const down = resizeForModelFloat(row([10, 20, 30, 40, 50, 60]), { width: 4, height: 1, mode: 'resize' });
    // positions 0, 1.5, 3, 4.5 → 10, 25, 40, 55
    assert.deepEqual([...down.data].filter((_, i) => i % 3 === 0), [10, 25, 40, 55]);
  });

  for (const [w, h, W, H] of awkward) {
    test(`'resize' ${w}x${h} → ${W}x${H} equals TF.js resizeBilinear within 1e-4`, () => {
      const img = randomImage(w, h, w * 1000 + h);
      const ours = resizeForModelFloat(img, { width: W, height: H, mode: 'resize' });
      assert.deepEqual([ours.width, ours.height], [W, H]);
      const d = maxAbsDiff(ours.data, tfjsResize(img, [H, W], false));
      assert.ok(d <= 1e-4, `max difference ${d}`);
    });
  }

  test("'central-crop' keeps the region tf.image.central_crop keeps (hand-computed offsets)", () => {
    // 512x341 at 0.875: left = int((512 - 448) / 2) = 32, width 448; top = int((341 - 298.375) / 2) = int(21.3125) = 21, height 299.
    const img = randomImage(512, 341, 7);
    const ours = resizeForModelFloat(img, { width: 224, height: 224 });
    const d = maxAbsDiff(ours.data, tfjsResize(img, [224, 224], false, [21, 32, 299, 448]));
    assert.ok(d <= 1e-4, `max difference ${d}`);
    // 13x13 at 0.875: int((13 - 11.375) / 2) = int(0.8125) = 0: nothing is cut (TF truncates, it does not round).
    const small = randomImage(13, 13, 8);
    const crop = resizeForModelFloat(small, { width: 5, height: 5, mode: 'central-crop' });
    assert.deepEqual(crop.data, resizeForModelFloat(small, { width: 5, height: 5, mode: 'resize' }).data);
    // 301x211 at 0.5: left = int((301 - 150.5) / 2) = int(75.25) = 75, width 151; top = int(52.75) = 52, height 107.
    const odd = randomImage(301, 211, 9);
    const half = resizeForModelFloat(odd, { width: 160, height: 128, cropFraction: 0.5 });
    const dh = maxAbsDiff(half.data, tfjsResize(odd, [128, 160], false, [52, 75, 107, 151]));
    assert.ok(dh <= 1e-4, `max difference ${dh}`);
  });

  test('uint8 output is the float output rounded', () => {
    const img = randomImage(97, 61, 3);
    const o: PreprocessOptions = { width: 50, height: 70 };
    const u8 = resizeForModel(img, o);
    const ref = tfjsResize(img, [70, 50], false, [3, 6, 55, 85]); // int(6.0625) = 6, int(3.8125) = 3
    for (let i = 0; i < ref.length; i++) {
      // Ties may go either way: TF.js holds float32, we round the float64 value.
      const tie = Math.abs(Math.abs(ref[i] - Math.trunc(ref[i])) - 0.5) < 1e-4;
      if (!tie) assert.equal(u8.data[i], Math.round(ref[i]), `sample ${i}: ${u8.data[i]} vs ${ref[i]}`);
      else assert.ok(Math.abs(u8.data[i] - ref[i]) <= 0.5 + 1e-4, `sample ${i}: ${u8.data[i]} vs ${ref[i]}`);
    }
  });
});

describe('antialiased resize (PIL BILINEAR / torchvision antialias=True)', () => {
  test('hand-computed 8 → 4 downscale: triangle weights 1/8, 3/8, 3/8, 1/8, renormalised at the edges', () => {
    const values = [0, 8, 16, 24, 32, 40, 48, 56];
    const img: RgbImage = { width: 8, height: 1, data: Uint8Array.from(values.flatMap((v) => [v, v, v])) };
    const out = resizeForModelFloat(img, { width: 4, height: 1, mode: 'resize', antialias: true });
    const got = [...out.data].filter((_, i) => i % 3 === 0);
    const expected = [(0 * 0.75 + 8 * 0.75 + 16 * 0.25) / 1.75, 20, 36, (40 * 0.25 + 48 * 0.75 + 56 * 0.75) / 1.75];
    assert.ok(maxAbsDiff(got, expected) < 1e-4, `${got} vs ${expected}`);
  });

  test('upscaling equals TF.js half-pixel-centre bilinear', () => {
    const img = randomImage(23, 17, 11);
    const ours = resizeForModelFloat(img, { width: 61, height: 40, mode: 'resize', antialias: true });
    const d = maxAbsDiff(ours.data, tfjsResize(img, [40, 61], true));
    assert.ok(d <= 1e-4, `max difference ${d}`);
  });

  test('cat.bmp squashed to 224x224 matches the shared resized_cat.bmp (mean difference < 0.35)', async () => {
    const cat = await decodeImage(dataPath('images', 'cat.bmp'));
    const ref = await decodeImage(dataPath('images', 'resized_cat.bmp'));
    const ours = resizeForModel(cat, { width: 224, height: 224, mode: 'resize', antialias: true });
    let sum = 0;
    for (let i = 0; i < ours.data.length; i++) sum += Math.abs(ours.data[i] - ref.data[i]);
    const mean = sum / ours.data.length;
    assert.ok(mean < 0.35, `mean abs difference ${mean.toFixed(3)}`);
  });
});

describe("'resize-crop' (torchvision Resize(256) + CenterCrop(224))", () => {
  test('500x375: shorter side 256, longer int(256·500/375) = 341, crop offset round(58.5) = 58 (half to even), 16', () => {
    const img = randomImage(500, 375, 21);
    const ours = resizeForModelFloat(img, { width: 224, height: 224, mode: 'resize-crop', antialias: false });
    const full = tfjsResize(img, [256, 341], false);
    const d = maxAbsDiff(ours.data, window(full, 341, 16, 58, 224, 224));
    assert.ok(d <= 1e-4, `max difference ${d}`);
  });

  test('80x100 portrait, upscaled (antialias = half-pixel bilinear): 256x320, crop offsets 16, 48', () => {
    const img = randomImage(80, 100, 22);
    const ours = resizeForModelFloat(img, { width: 224, height: 224, mode: 'resize-crop' });
    const full = tfjsResize(img, [320, 256], true);
    const d = maxAbsDiff(ours.data, window(full, 256, 48, 16, 224, 224));
    assert.ok(d <= 1e-4, `max difference ${d}`);
  });

  test('cropFraction parameterises the resize: 0.5 at 100 → shorter side 200', () => {
    const img = randomImage(60, 40, 23);
    const ours = resizeForModelFloat(img, { width: 100, height: 100, mode: 'resize-crop', cropFraction: 0.5, antialias: false });
    const full = tfjsResize(img, [200, 300], false); // 300 = int(200·60/40); crop left round(100) = 100, top 50
    const d = maxAbsDiff(ours.data, window(full, 300, 50, 100, 100, 100));
    assert.ok(d <= 1e-4, `max difference ${d}`);
  });
});

describe('normalisation', () => {
  const img: RgbImage = { width: 2, height: 1, data: Uint8Array.of(0, 128, 255, 10, 20, 30) };

  test('toFloatInput: (p − mean) / std, NHWC, one or three values', () => {
    const a = toFloatInput(img, [127.5], [127.5]);
    const expected = [-1, 0.5 / 127.5, 1, (10 - 127.5) / 127.5, (20 - 127.5) / 127.5, (30 - 127.5) / 127.5];
    assert.ok(maxAbsDiff(a, expected) < 1e-6);
    const mean = [0.485 * 255, 0.456 * 255, 0.406 * 255];
    const std = [0.229 * 255, 0.224 * 255, 0.225 * 255];
    const b = toFloatInput(img, mean, std);
    assert.ok(Math.abs(b[1] - (128 / 255 - 0.456) / 0.224) < 1e-6);
    assert.ok(Math.abs(b[5] - (30 / 255 - 0.406) / 0.225) < 1e-6);
  });

  test('toNchwFloat is the NHWC result transposed (checked with TF.js)', () => {
    const big = randomImage(7, 5, 31);
    const mean = [120, 110, 100];
    const std = [60, 55, 50];
    const nhwc = toFloatInput(big, mean, std);
    const ref = tf.tidy(() => tf.transpose(tf.tensor4d(nhwc, [1, 5, 7, 3]), [0, 3, 1, 2]).dataSync());
    assert.deepEqual(toNchwFloat(big, mean, std), Float32Array.from(ref));
  });

  test('float resize output feeds normalisation directly', () => {
    const big = randomImage(40, 30, 32);
    const f = resizeForModelFloat(big, { width: 8, height: 8 });
    const n = toFloatInput(f, [127.5], [127.5]);
    for (let i = 0; i < n.length; i++) assert.ok(Math.abs(n[i] - (f.data[i] - 127.5) / 127.5) < 1e-6);
  });
});

describe('bad arguments', () => {
  const img = randomImage(10, 10, 1);
  test('options and images are validated', () => {
    assert.throws(() => resizeForModel(img, { width: 0, height: 224 }), RangeError);
    assert.throws(() => resizeForModel(img, { width: 2.5, height: 224 }), RangeError);
    assert.throws(() => resizeForModel(img, { width: 4, height: 4, cropFraction: 0 }), /cropFraction must be in \(0, 1\]/);
    assert.throws(() => resizeForModel(img, { width: 4, height: 4, cropFraction: 1.5 }), RangeError);
    assert.throws(() => resizeForModel(img, { width: 4, height: 4, mode: 'stretch' as 'resize' }), /unknown resize mode 'stretch'/);
    assert.throws(() => resizeForModel({ width: 10, height: 10, data: new Uint8Array(299) }, { width: 4, height: 4 }), ShapeError);
    assert.throws(() => toFloatInput(img, [1, 2], [1]), /mean must have 1 or 3 values/);
    assert.throws(() => toFloatInput(img, [0], [0]), /std must be finite and non-zero/);
  });
});

test('dog.jpg to 224x224 in each mode takes well under a second', async () => {
  const dog = await decodeImage(dataPath('images', 'dog.jpg'));
  for (const mode of ['central-crop', 'resize', 'resize-crop'] as const) {
    const t = performance.now();
    const out = resizeForModel(dog, { width: 224, height: 224, mode });
    assert.equal(out.data.length, 224 * 224 * 3);
    assert.ok(performance.now() - t < 1000, `${mode}: ${performance.now() - t} ms`);
  }
});
