// The bundled command line (dist/node, built by scripts/build-node.mjs as part of `npm run build`): the same answers
// as the compiled one, and self-contained, its thread-pool and session-pool workers found beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dataPath, projectRoot, tmpDir } from '../helpers/data.js';

const run = promisify(execFile);
const bundle = join(projectRoot, 'dist', 'node', 'cli.js');
const compiled = join(projectRoot, 'dist', 'src', 'cli', 'main.js');
const env = { ...process.env, MOBILENET_MODELS: dataPath('models') };

async function cli(main: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [main, ...args], { env, timeout: 120_000, maxBuffer: 1 << 24 });
  return stdout;
}

test('bundle: classify gives the compiled CLI answers (BMP by our reader, JPEG through sharp)', async () => {
  const args = ['classify', '--json', '--top', '3', dataPath('images', 'grace_hopper.bmp'), dataPath('images', 'dog.jpg')];
  const [b, c] = await Promise.all([cli(bundle, args), cli(compiled, args)]);
  const out = JSON.parse(b) as { predictions: { index: number; label: string }[] }[];
  assert.equal(out[0]!.predictions[0]!.index, 653);
  assert.equal(out[0]!.predictions[0]!.label, 'military uniform');
  assert.deepEqual(JSON.parse(b), JSON.parse(c));
});

test('bundle copied elsewhere: bench --threads 2 and --workers 2 start their workers from beside it', async () => {
  const dir = join(tmpDir, 'cli-bundle');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(projectRoot, 'dist', 'node'), dir, { recursive: true });
  const main = join(dir, 'cli.js');
  const common = ['bench', '--model', 'v1-0.25-128-quant', '--runs', '2', '--warmup', '0', '--no-cold', '--json'];
  const threads = JSON.parse(await cli(main, [...common, '--threads', '2'])) as Record<string, number>;
  assert.equal(threads.threads, 2);
  assert.ok(threads.median_ms! > 0);
  const workers = JSON.parse(await cli(main, [...common, '--workers', '2', '--batch', '2'])) as Record<string, number>;
  assert.equal(workers.workers, 2);
  assert.ok(workers.median_ms! > 0);
  rmSync(dir, { recursive: true, force: true });
});
