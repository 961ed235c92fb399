import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath, sharedTflite, tmpDir } from '../helpers/data.js';
import { runCli } from '../helpers/cli.js';
import { tfliteOracle } from '../helpers/oracle.js';

const dir = join(tmpDir, 'cli-classify');
mkdirSync(dir, { recursive: true });

test('classify grace_hopper.bmp with the default model: military uniform first', async () => {
  const r = await runCli(['classify', dataPath('images', 'grace_hopper.bmp')]);
  assert.equal(r.code, 0, r.stderr);
  const first = r.stdout.split('\n')[1] ?? '';
  assert.match(first, /\b653\s+military uniform/);
});

test('classify --json: one entry per image, indices in the model output space', async () => {
  const images = [dataPath('images', 'grace_hopper.bmp'), dataPath('images', 'imagenet_finch.jpeg')];
  const r = await runCli(['classify', '--json', '--top', '3', ...images]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { image: string; predictions: { index: number; label: string; score: number }[] }[];
  assert.equal(out.length, 2);
  assert.deepEqual(out.map((o) => o.image), images);
  for (const o of out) {
    assert.equal(o.predictions.length, 3);
    for (const p of o.predictions) assert.ok(p.score > 0 && p.score <= 1);
    assert.ok(o.predictions[0]!.score >= o.predictions[1]!.score);
  }
  assert.deepEqual(out[0]!.predictions[0], { ...out[0]!.predictions[0]!, index: 653, label: 'military uniform' });
  assert.equal(out[1]!.predictions[0]!.index, 13); // house finch (1001-class space)
  assert.equal(out[1]!.predictions[0]!.label, 'house finch, linnet, Carpodacus mexicanus');
});

test('run: raw bytes in and out, equal to the TFLite interpreter', async () => {
  const input = new Uint8Array(128 * 128 * 3).map((_, i) => (i * 2654435761) >>> 24);
  const inPath = join(dir, 'in.bin');
  const outPath = join(dir, 'out.bin');
  writeFileSync(inPath, input);
  const r = await runCli(['run', '--model', sharedTflite.v1_025_128_quant, '--input', inPath, '--output', outPath]);
  assert.equal(r.code, 0, r.stderr);
  const ours = new Uint8Array(readFileSync(outPath));
  const theirs = tfliteOracle(sharedTflite.v1_025_128_quant).run(input);
  assert.deepEqual(ours, new Uint8Array(theirs.buffer, theirs.byteOffset, theirs.byteLength));
});

test('eval --json on a few labelled ImageNet samples', async () => {
  const csv = dataPath('imagenet-sample', 'labels.csv');
  const r = await runCli(['eval', dataPath('imagenet-sample'), '--labels-csv', csv, '--model', 'v1-0.25-128-quant', '--limit', '6', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout) as { top1: number; top5: number; count: number; per_class: unknown[] };
  assert.equal(o.count, 6);
  assert.ok(o.top1 >= 0 && o.top1 <= o.top5 && o.top5 <= 1);
  assert.equal(o.per_class.length, 6);
  assert.match(r.stderr, /eval \[#+/, 'progress bar on stderr');
});
