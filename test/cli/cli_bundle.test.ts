// The Node bundle (dist/node, built by scripts/build-node.mjs as part of `npm run build`): the CLI gives the compiled
// one's answers, and the bundle is self-contained, its thread-pool and session-pool workers found beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { dataPath, projectRoot, sharedTflite, tmpDir } from '../helpers/data.js';

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

test('bundle copied elsewhere: its thread-pool and session-pool workers start from beside it', async () => {
  const dir = join(tmpDir, 'cli-bundle');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(projectRoot, 'dist', 'node'), dir, { recursive: true });
  try {
    const common = ['bench', '--model', 'v1-0.25-128-quant', '--runs', '2', '--warmup', '0', '--no-cold', '--json'];
    const workers = JSON.parse(await cli(join(dir, 'cli.js'), [...common, '--workers', '2', '--batch', '2'])) as Record<string, number>;
    assert.equal(workers.workers, 2);
    assert.ok(workers.median_ms! > 0);
    // A pool worker that did not start fails the first run after this thread's event loop has turned.
    const lib = (await import(pathToFileURL(join(dir, 'index.js')).href)) as typeof import('../../src/index.js');
    const g = lib.readTflite(new Uint8Array(readFileSync(sharedTflite.v1_025_128_quant)));
    const s = new lib.Session(g, { threads: 2 });
    const x = new Uint8Array(128 * 128 * 3).fill(7);
    const first = s.run([x]);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(s.run([x]), first);
    assert.equal(s.threads, 2);
    s.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
