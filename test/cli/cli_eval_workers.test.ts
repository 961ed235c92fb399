// Throughput mode of eval: `--workers N` gives the same result as one session, and PooledModel's scores are the
// model's own scores exactly, read ahead in order, an unreadable image failing at its turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageError } from '../../src/errors.js';
import { loadModel } from '../../src/tasks/load.js';
import { PooledModel } from '../../src/tasks/pooled_model.js';
import { dataPath, sharedTflite, tmpDir } from '../helpers/data.js';
import { runCli } from '../helpers/cli.js';
import { classFolderDataset } from '../tasks/eval_dataset.js';

test('eval --workers 2 reports what eval with one session reports (a junk file skipped alike)', { timeout: 180000 }, async () => {
  const { dir, rows } = classFolderDataset(join(tmpDir, 'cli-eval-workers'), 24, 7);
  writeFileSync(join(dir, rows[0]!.className, 'notes.jpg'), 'not an image');
  const args = ['eval', dir, '--model', 'v1-0.25-128-quant', '--json'];
  const [one, two] = [await runCli(args), await runCli([...args, '--workers', '2'])];
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  const a = JSON.parse(one.stdout) as { count: number; skipped: unknown[] };
  assert.equal(a.count, 24);
  assert.equal(a.skipped.length, 1);
  assert.deepEqual(JSON.parse(two.stdout), a);
});

test('PooledModel: read-ahead scores on real photos equal the model\'s, an unreadable file is an ImageError at its turn', { timeout: 120000 }, async () => {
  const model = await loadModel(sharedTflite.v2_uint8);
  const bad = join(tmpDir, 'pooled-not-an-image.png');
  writeFileSync(bad, 'nope');
  const images = ['dog.jpg', 'owl.jpg', 'parrot.jpg', 'grace_hopper.bmp', 'hot_dog.jpg'].map((f) => dataPath('images', f));
  images.splice(2, 0, bad);
  const pooled = await PooledModel.create(model, 2);
  try {
    pooled.readAhead(images, undefined, 3);
    for (const image of images) {
      if (image === bad) {
        await assert.rejects(pooled.scores(image), (e: unknown) => e instanceof ImageError && e.message.includes(bad));
        continue;
      }
      assert.deepEqual(await pooled.scores(image), await model.scores(image), image);
    }
    // Not read ahead (another resize): computed on the spot, still the model's scores.
    const resize = { mode: 'resize' as const };
    assert.deepEqual(await pooled.scores(images[0]!, resize), await model.scores(images[0]!, resize));
    const top = await pooled.classify(images[0]!, { topK: 1 });
    assert.deepEqual(top, await model.classify(images[0]!, { topK: 1 }));
  } finally {
    await pooled.dispose();
  }
});
