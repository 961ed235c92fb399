import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath, tmpDir } from '../helpers/data.js';
import { runCli } from '../helpers/cli.js';
import { classFolderDataset } from '../tasks/eval_dataset.js';

interface EvalJson {
  top1: number;
  top5: number;
  count: number;
  skipped: { path: string; error: string }[];
  per_class: { label: string; index: number; precision: number; recall: number; support: number }[];
  folders?: { folder: string; index: number; label: string; files: number }[];
}

const root = join(tmpDir, 'cli-eval-folders');
const MODEL = ['--model', 'v1-0.25-128-quant'];

test('eval of class folders agrees with eval of the same images through --labels-csv', async () => {
  const { dir, csv, rows } = classFolderDataset(root, 36, 13);
  assert.equal(rows.length, 36);
  // A text file in a class folder: skipped with a warning naming it, not counted.
  const junk = join(dir, rows[0]!.className, 'notes.txt');
  writeFileSync(junk, 'not an image');
  const [folders, flat] = await Promise.all([
    runCli(['eval', dir, ...MODEL, '--json']),
    runCli(['eval', dataPath('imagenet-sample'), '--labels-csv', csv, ...MODEL, '--json']),
  ]);
  assert.equal(folders.code, 0, folders.stderr);
  assert.equal(flat.code, 0, flat.stderr);
  const a = JSON.parse(folders.stdout) as EvalJson;
  const b = JSON.parse(flat.stdout) as EvalJson;
  assert.equal(a.count, 36);
  assert.equal(a.top1, b.top1);
  assert.equal(a.top5, b.top5);
  assert.equal(a.count, b.count);
  assert.deepEqual(a.per_class, b.per_class);
  // Every folder was mapped to the class labels.csv gives its image.
  assert.deepEqual(a.per_class.map((c) => c.index), rows.map((r) => r.tfliteIndex).sort((x, y) => x - y));
  for (const c of a.per_class) {
    assert.equal(c.support, 1);
    for (const v of [c.precision, c.recall]) assert.ok(v >= 0 && v <= 1);
  }
  assert.ok(a.top1 > 0.2 && a.top1 <= a.top5 && a.top5 <= 1, `top-1 ${a.top1}, top-5 ${a.top5}`);
  assert.equal(a.skipped.length, 1);
  assert.equal(a.skipped[0]!.path, junk);
  assert.match(folders.stderr, /warning: skipped '[^']*notes\.txt'.*not an image/);
  assert.equal(b.skipped.length, 0);
  assert.equal(b.folders, undefined);
  const tench = a.folders!.find((f) => f.folder === 'tench, Tinca tinca');
  assert.deepEqual(tench, { folder: 'tench, Tinca tinca', index: 1, label: 'tench, Tinca tinca', files: 2 }, 'image and notes.txt');
  for (const f of a.folders!) {
    const row = rows.find((r) => r.tfliteIndex === f.index)!;
    assert.ok([row.className, row.className.toUpperCase(), row.shortName.replace(/ /g, '_')].includes(f.folder), f.folder);
  }
});

test('eval: a class folder that matches no label is a one-line error naming it', async () => {
  const dir = join(root, 'unknown');
  mkdirSync(join(dir, 'tench'), { recursive: true });
  mkdirSync(join(dir, 'not_a_class_xyz'), { recursive: true });
  const r = await runCli(['eval', dir, ...MODEL]);
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /class folder '[^']*not_a_class_xyz' matches no label of the model; labels are like: 'tench, Tinca tinca'/);
});

test('eval: an ambiguous folder name and a flat folder without --labels-csv are clear errors', async () => {
  const dir = join(root, 'ambiguous');
  mkdirSync(join(dir, 'crane'), { recursive: true });
  const r = await runCli(['eval', dir, ...MODEL]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /class folder '[^']*crane' matches 2 labels \(135 'crane', 518 'crane'\)/);
  const flat = await runCli(['eval', dataPath('images'), ...MODEL]);
  assert.equal(flat.code, 1);
  assert.match(flat.stderr, /has no class sub-folders; for a flat folder of images give --labels-csv FILE/);
});
