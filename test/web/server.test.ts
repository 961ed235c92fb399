import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath, projectRoot, tmpDir } from '../helpers/data.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { buildWeb } from './build.js';

const site = join(tmpDir, 'web', 'server-site');
let server: WebServer;

before(async () => {
  buildWeb(site);
  server = await startWebServer({ webDir: site, modelDir: dataPath('models'), port: 0 });
});

after(() => server.close());

test('serve-web: page, bundle and models with cross-origin isolation headers', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  for (const [path, type] of [['', 'text/html'], ['mobilenet.js', 'text/javascript'], ['app.js', 'text/javascript'], ['style.css', 'text/css']] as const) {
    const r = await fetch(server.url + path);
    assert.equal(r.status, 200, path);
    assert.ok(r.headers.get('content-type')!.startsWith(type), `${path}: ${r.headers.get('content-type')}`);
    assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
    await r.arrayBuffer();
  }
  const models = (await (await fetch(server.url + 'models/index.json')).json()) as { name: string; url: string; bytes: number; labels?: string }[];
  const names = models.map((m) => m.name);
  assert.deepEqual(names, [
    'mobilenet_v1_0.25_128_quant',
    'mobilenet_v1_0.25_224_1_default_1',
    'mobilenet_v1_0.5_160_quant',
    'mobilenet_v2_1.0_224.uint8',
    'mobilenet_v3_small_1.0_224.uint8',
    'tf2_mobilenet_v2_1.0_224_ptq',
  ]);
  const v1 = models[0]!;
  assert.equal(v1.labels, undefined, 'the Coral model carries its labels');
  assert.equal(models[3]!.labels, 'models/labels.txt', 'v2 uint8 has none: the labels file beside it');
  const file = dataPath('models', 'mobilenet_v1_0.25_128_quant', 'mobilenet_v1_0.25_128_quant.tflite');
  const r = await fetch(server.url + v1.url);
  assert.equal(r.status, 200);
  assert.equal((await r.arrayBuffer()).byteLength, statSync(file).size);
  assert.equal(v1.bytes, statSync(file).size);
});

test('serve-web: nothing outside the page and the listed models, GET and HEAD only', async () => {
  const notFound = [
    '../package.json',
    '%2e%2e/package.json',
    '..%2fpackage.json',
    'models/../../package.json',
    'models/MANIFEST.md',
    'models/mobilenetv2-12-int8/mobilenetv2-12-int8.onnx',
    'models/mobilenet_v1_0.25_224_tfjs_layers/model.json',
    'nope.js',
  ];
  for (const p of notFound) {
    const r = await fetch(server.url + p);
    assert.equal(r.status, 404, p);
    await r.text();
  }
  const post = await fetch(server.url, { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  const head = await fetch(server.url + 'mobilenet.js', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), statSync(join(site, 'mobilenet.js')).size);
  await assert.rejects(startWebServer({ webDir: join(site, 'missing'), port: 0 }), /has no index\.html \(run npm run build:web\)/);
});

test('mobilenet serve-web: prints its URL, serves, stops on SIGTERM', async () => {
  const main = join(projectRoot, 'dist', 'src', 'cli', 'main.js');
  const child = spawn(process.execPath, [main, 'serve-web', '--port', '0', '--web-dir', site, '--model-dir', dataPath('models')], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`no URL printed: ${out}`)), 20_000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      });
      child.on('exit', (code) => fail(new Error(`exited ${code}: ${out}`)));
    });
    const r = await fetch(url);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /<title>mobilenet-ts/);
  } finally {
    const exited = new Promise((ok) => child.on('exit', ok));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
  const bad = spawn(process.execPath, [main, 'serve-web', '--port', '70000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  bad.stderr.on('data', (d) => (err += d));
  const code = await new Promise((ok) => bad.on('exit', ok));
  assert.notEqual(code, 0);
  assert.match(err, /'70000' is not a port number/);
});
