import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../helpers/cli.js';
import { sharedTflite, tmpDir } from '../helpers/data.js';
import { flowerSubset, flowers } from '../tasks/flower_subset.js';

const skip = (!existsSync(flowers) || !existsSync(sharedTflite.v1_025_128_quant)) && 'shared data missing';
const root = join(tmpDir, 'cli-train');
const env = { MOBILENET_CACHE: join(root, 'cache') };
const SMALL = ['-m', 'v1-0.25-128-quant'];
const dataset = (name: string, n = 6) => flowerSubset('train', ['daisy', 'sunflowers'], n, join(root, name));
const testImage = join(flowers, 'test', 'sunflowers');

test('train --head softmax --out x.tflite, then classify with the exported file', { skip }, async () => {
  const dir = dataset('good');
  const out = join(root, 'flowers.tflite');
  const r = await runCli(['train', dir, ...SMALL, '--out', out, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepStrictEqual(s.classes, ['daisy', 'sunflowers']);
  assert.equal(s.images, 12);
  assert.equal(s.validation.images, 2);
  assert.match(r.stderr, /train \[/); // epoch progress
  const img = join(testImage, (await import('node:fs')).readdirSync(testImage).sort()[0]!);
  const c = await runCli(['classify', img, '-m', out, '--json']);
  assert.equal(c.code, 0, c.stderr);
  const preds = JSON.parse(c.stdout)[0].predictions;
  assert.deepStrictEqual(preds.map((p: { label: string }) => p.label).sort(), ['daisy', 'sunflowers']);
});

test('train --head knn --out x.json, classify with it; a different --backbone is refused naming both', { skip }, async () => {
  const dir = dataset('good-knn');
  const out = join(root, 'flowers-knn.json');
  const r = await runCli(['train', dir, ...SMALL, '--head', 'knn', '--k', '3', '--out', out], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /head: knn \(k=3\)/);
  const j = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(j.format, 'mobilenet-ts-knn');
  assert.equal(j.k, 3);
  assert.equal(j.examples.length, 12);
  const img = join(testImage, (await import('node:fs')).readdirSync(testImage).sort()[0]!);
  const c = await runCli(['classify', img, '-m', out]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /kNN over .*mobilenet_v1_0\.25_128_quant/);
  const bad = await runCli(['classify', img, '-m', out, '--backbone', 'v1-0.5-160-quant']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /v1-0\.25-128-quant.*not the given backbone.*mobilenet_v1_0\.5_160_quant/);
  // run takes the backbone's raw input tensor and writes the kNN vote shares (float32 per class).
  const input = join(root, 'in.bin');
  writeFileSync(input, new Uint8Array(128 * 128 * 3).fill(90));
  const run = await runCli(['run', '-m', out, '-i', input, '-o', join(root, 'o.bin')]);
  assert.equal(run.code, 0, run.stderr);
  const votes = new Float32Array(new Uint8Array(readFileSync(join(root, 'o.bin'))).buffer);
  assert.equal(votes.length, 2);
  assert.ok(Math.abs(votes[0]! + votes[1]! - 1) < 1e-6, `vote shares ${votes}`);
  // eval takes the head as --model on a class-folder test set.
  const testSet = flowerSubset('test', ['daisy', 'sunflowers'], 3, join(root, 'test-knn'));
  const ev = await runCli(['eval', testSet, '-m', out, '--json']);
  assert.equal(ev.code, 0, ev.stderr);
  const e = JSON.parse(ev.stdout);
  assert.equal(e.count, 6);
  assert.deepStrictEqual(e.per_class.map((c: { label: string }) => c.label), ['daisy', 'sunflowers']);
});

test('train: an empty class folder, a single class, a missing folder are one-line errors', { skip }, async () => {
  const empty = dataset('empty-class', 2);
  mkdirSync(join(empty, 'tulips'));
  let r = await runCli(['train', empty, ...SMALL], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^mobilenet: dataset '.*empty-class': class folder 'tulips' has no files\n$/);
  const single = flowerSubset('train', ['roses'], 2, join(root, 'single'));
  r = await runCli(['train', single, ...SMALL], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /only one class folder \('roses'\).*at least two/);
  r = await runCli(['train', join(root, 'nope'), ...SMALL], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /dataset '.*nope' not found/);
  r = await runCli(['train', single, ...SMALL, '--out', 'x.json'], env);
  assert.match(r.stderr, /--head softmax writes a \.tflite file/);
});

test('train: corrupt, non-image and over-limit files are skipped with a warning naming them and counted', { skip }, async () => {
  const dir = dataset('bad-files', 4);
  writeFileSync(join(dir, 'daisy', 'notes.txt'), 'a text file among the photos');
  const good = readFileSync(join(dir, 'daisy', (await import('node:fs')).readdirSync(join(dir, 'daisy')).sort()[0]!));
  writeFileSync(join(dir, 'daisy', 'truncated.jpg'), good.subarray(0, 300));
  await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#3a5' } }).jpeg().toFile(join(dir, 'sunflowers', 'huge.jpg'));
  const r = await runCli(['train', dir, ...SMALL, '--max-pixels', '1000000', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: skipped '.*notes\.txt': .*not an image/);
  assert.match(r.stderr, /warning: skipped '.*truncated\.jpg'/);
  assert.match(r.stderr, /warning: skipped '.*huge\.jpg': .*1200x1000.*over the limit/);
  const s = JSON.parse(r.stdout);
  assert.equal(s.skipped, 3);
  assert.equal(s.images, 8);
  // A class left with no usable image is an error, not a model that never predicts it.
  const dead = join(root, 'dead-class');
  rmSync(dead, { recursive: true, force: true });
  dataset('dead-class', 2);
  rmSync(join(dead, 'sunflowers'), { recursive: true });
  mkdirSync(join(dead, 'sunflowers'));
  writeFileSync(join(dead, 'sunflowers', 'a.jpg'), 'nope');
  const d = await runCli(['train', dead, ...SMALL], env);
  assert.equal(d.code, 1);
  assert.match(d.stderr, /class 'sunflowers' has no usable images \(1 skipped\)/);
});

test('embed: json, csv and npy outputs agree; the second run comes from the cache', { skip }, async () => {
  const dir = dataset('embed', 2);
  const j = await runCli(['embed', dir, ...SMALL, '--normalize'], env);
  assert.equal(j.code, 0, j.stderr);
  const json = JSON.parse(j.stdout);
  assert.equal(json.dim, 256);
  assert.equal(json.embeddings.length, 4);
  assert.ok(Math.abs(Math.hypot(...json.embeddings[0].vector) - 1) < 1e-5);
  const npy = join(root, 'e.npy');
  const n = await runCli(['embed', dir, ...SMALL, '--normalize', '--format', 'npy', '--out', npy], env);
  assert.equal(n.code, 0, n.stderr);
  assert.match(n.stderr, /4 from cache/);
  const bytes = readFileSync(npy);
  assert.match(bytes.subarray(10, 128).toString('latin1'), /'shape': \(4, 256\)/);
  assert.equal(bytes.readFloatLE(128), json.embeddings[0].vector[0]);
  assert.deepStrictEqual(readFileSync(join(root, 'e.files.txt'), 'utf8').trim().split('\n'), json.embeddings.map((e: { file: string }) => e.file));
  const c = await runCli(['embed', dir, ...SMALL, '--format', 'csv'], env);
  const rows = c.stdout.trim().split('\n');
  assert.equal(rows.length, 5);
  assert.equal(rows[0]!.split(',').length, 257);
  const e = await runCli(['embed', join(root, 'missing.jpg'), ...SMALL], env);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /missing\.jpg' not found/);
});
