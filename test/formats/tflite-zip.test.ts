import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { ModelFormatError } from '../../src/errors.js';
import { crc32, readZipDirectory, readZipEntry } from '../../src/formats/tflite/zip.js';

const text = new TextEncoder().encode('background\ntench\ngoldfish\n'.repeat(50));
const prefix = new Uint8Array(1000).fill(7);

function appended(level: 0 | 6): Uint8Array {
  const zip = zipSync({ 'labels.txt': [text, { level }], 'other.bin': [new Uint8Array(10), { level: 0 }] });
  const b = new Uint8Array(prefix.length + zip.length);
  b.set(prefix);
  b.set(zip, prefix.length);
  return b;
}

test('CRC-32 of a known string', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('reads stored and deflated entries of a ZIP appended to other data', () => {
  for (const level of [0, 6] as const) {
    const b = appended(level);
    const entries = readZipDirectory(b, 'test')!;
    assert.deepEqual(entries.map((e) => e.name), ['labels.txt', 'other.bin']);
    assert.equal(entries[0]!.method, level ? 8 : 0);
    assert.ok(entries[0]!.localHeader >= prefix.length);
    assert.deepEqual(readZipEntry(b, entries[0]!, 'test'), text);
  }
});

test('no ZIP at the end: undefined; corrupt entries: ModelFormatError', () => {
  assert.equal(readZipDirectory(prefix, 'test'), undefined);
  const b = appended(6);
  const entries = readZipDirectory(b, 'test')!;
  const bad = Uint8Array.from(b);
  bad[entries[0]!.localHeader + 40] ^= 0xff;
  assert.throws(() => readZipEntry(bad, entries[0]!, 'test'), ModelFormatError);
  assert.throws(() => readZipEntry(b, { ...entries[0]!, localHeader: b.length - 4 }, 'test'), /local header offset .* out of range/);
  assert.throws(() => readZipEntry(b, { ...entries[0]!, compressedSize: b.length }, 'test'), /runs past the end/);
  assert.throws(() => readZipEntry(b, { ...entries[0]!, method: 12 }, 'test'), /compression method 12/);
  // A directory that claims more entries than it holds.
  const eocd = b.length - 22;
  const many = Uint8Array.from(b);
  new DataView(many.buffer).setUint16(eocd + 10, 5, true);
  assert.throws(() => readZipDirectory(many, 'test'), /central directory entry 2 .* is corrupt/);
});
