import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { dataPath, sharedTflite, tmpDir } from '../helpers/data.js';
import { runCli } from '../helpers/cli.js';
import { patchOpcode } from '../helpers/flatbuffer-locate.js';

const dir = join(tmpDir, 'cli-errors');
mkdirSync(dir, { recursive: true });
const photo = dataPath('images', 'cat.bmp');

/** Asserts a one-line `mobilenet: ...` error mentioning `pattern`, a non-zero exit, no stack trace. */
function assertCleanError(r: { code: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  assert.notEqual(r.code, 0, 'exit code should be non-zero');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line of error, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^mobilenet: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(r.stderr, /internal error/);
}

function model(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const real = new Uint8Array(readFileSync(sharedTflite.v1_025_128_quant));

test('empty model file', async () => {
  assertCleanError(await runCli(['classify', '--model', model('empty.tflite', new Uint8Array(0)), photo]), /empty/);
});

test('random-bytes model file', async () => {
  const rnd = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 251);
  assertCleanError(await runCli(['classify', '--model', model('random.tflite', rnd), photo]), /random\.tflite/);
});

test('truncated model file', async () => {
  assertCleanError(await runCli(['classify', '--model', model('trunc.tflite', real.slice(0, real.length >> 1)), photo]), /trunc\.tflite|out of range|truncated/);
});

test('model with out-of-range flatbuffer offsets', async () => {
  const bad = real.slice();
  const view = new DataView(bad.buffer);
  view.setUint32(0, 0x7ffffff0, true); // root table offset far past the end
  assertCleanError(await runCli(['classify', '--model', model('offsets.tflite', bad), photo]), /out of range|offset/);
});

test('missing model file', async () => {
  assertCleanError(await runCli(['classify', '--model', join(dir, 'nope.tflite'), photo]), /not found/);
});

test('truncated JPEG', async () => {
  const jpg = readFileSync(dataPath('images', 'hot_dog.jpg'));
  const p = join(dir, 'half.jpg');
  writeFileSync(p, jpg.subarray(0, jpg.length >> 1));
  assertCleanError(await runCli(['classify', '--model', sharedTflite.v1_025_128_quant, p]), /half\.jpg/);
});

test('text file named .png', async () => {
  const p = join(dir, 'notes.png');
  writeFileSync(p, 'these are my notes, not a picture\n');
  assertCleanError(await runCli(['classify', '--model', sharedTflite.v1_025_128_quant, p]), /notes\.png/);
});

test('image over the pixel limit', async () => {
  const p = join(dir, 'huge.png');
  const big = await sharp({ create: { width: 10000, height: 6000, channels: 3, background: { r: 9, g: 9, b: 9 } } })
    .png({ compressionLevel: 9 })
    .toBuffer();
  writeFileSync(p, big);
  assertCleanError(await runCli(['classify', '--model', sharedTflite.v1_025_128_quant, p]), /huge\.png.*limit|limit.*huge\.png/);
});

test('missing image file', async () => {
  assertCleanError(await runCli(['classify', '--model', sharedTflite.v1_025_128_quant, join(dir, 'absent.jpg')]), /absent\.jpg/);
});

test('run with a wrong-size input tensor', async () => {
  const p = join(dir, 'in.bin');
  writeFileSync(p, new Uint8Array(100));
  const r = await runCli(['run', '--model', sharedTflite.v1_025_128_quant, '--input', p, '--output', join(dir, 'out.bin')]);
  assertCleanError(r, /100 bytes.*needs 49152/);
});

test('model with an unsupported operator', async () => {
  const { bytes } = patchOpcode(real, 1, 49); // AVERAGE_POOL_2D -> SPLIT
  assertCleanError(await runCli(['classify', '--model', model('split.tflite', bytes), photo]), /unsupported TFLite operator SPLIT/);
});
