import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16ToFloat32 } from '../../src/formats/tflite/float16.js';

test('float16ToFloat32 decodes IEEE half precision', () => {
  const halves = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x3555, 0x8000, 0x7c00, 0xfc00];
  const want = [1, -2, 65504, 2 ** -24, 2 ** -14, 0.333251953125, -0, Infinity, -Infinity];
  const bytes = new Uint8Array(halves.length * 2);
  halves.forEach((h, i) => new DataView(bytes.buffer).setUint16(2 * i, h, true));
  const got = float16ToFloat32(bytes, halves.length);
  assert.deepEqual(Array.from(got), want);
  assert.ok(Number.isNaN(float16ToFloat32(Uint8Array.of(0x00, 0x7e), 1)[0]));
});
