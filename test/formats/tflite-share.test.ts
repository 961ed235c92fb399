import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readTflite } from '../../src/formats/tflite/index.js';
import { sharedTflite } from '../helpers/data.js';

// shareBytes must change where constants live, never what they hold.
for (const name of ['v2_uint8', 'v1_025_float', 'v2_ptq_int8'] as const) {
  test(`readTflite shareBytes on ${name}: the same constants, aligned ones viewing the file bytes`, () => {
    const file = readFileSync(sharedTflite[name]);
    const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
    const copied = readTflite(bytes);
    const shared = readTflite(bytes, { shareBytes: true });
    let views = 0;
    for (const [k, t] of shared.tensors.entries()) {
      const c = copied.tensors[k]!;
      assert.deepEqual(t.shape, c.shape);
      if (!t.data) continue;
      assert.notEqual(c.data!.buffer, bytes.buffer, 'a copy by default');
      assert.equal(t.data.constructor, c.data!.constructor);
      assert.deepEqual(t.data, c.data, `tensor ${k} '${t.name}'`);
      if (t.data.buffer === bytes.buffer) views++;
    }
    assert.ok(views > 0);
    assert.deepEqual(shared.nodes, copied.nodes);

    // The same file one byte off: wider constants are misaligned and copied, with the same values.
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const off = readTflite(shifted, { shareBytes: true });
    for (const [k, t] of off.tensors.entries()) {
      if (!t.data) continue;
      assert.deepEqual(t.data, copied.tensors[k]!.data, `shifted tensor ${k}`);
      if (t.data.BYTES_PER_ELEMENT > 1) assert.notEqual(t.data.buffer, shifted.buffer);
    }
  });
}
