import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium, needChromium, skipWithoutChromium } from '../helpers/browser.js';
import { dataPath, sharedTflite, tmpDir } from '../helpers/data.js';
import { decodeImage } from '../../src/formats/image/index.js';
import { loadModel } from '../../src/tasks/load.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { buildWeb } from './build.js';

/*
 * Threads in headless Chromium: the browser library runs a model in a Web Worker with pool workers sharing its
 * WebAssembly memory, and must give the Node engine's bytes (quantized) and scores. The photo is cat.bmp as PNG,
 * decoded losslessly by both. A proxy without the COOP/COEP headers serves the same site as a page that is not
 * cross-origin isolated. Without Chromium the tests fail under CI=true and are skipped elsewhere.
 */
const root = join(tmpDir, 'web', 'threads');
const site = join(root, 'site');
const photo = join(site, 'cat.png');
const V2 = 'models/mobilenet_v2_1.0_224.uint8.tflite';
const V1 = 'models/mobilenet_v1_0.25_128_quant/mobilenet_v1_0.25_128_quant.tflite';

interface PageApi {
  last?: { predictions: { index: number; label: string; score: number }[] };
  model?: { source: string; threads: number; inWorker: boolean };
}

let browser: Browser | undefined;
let server: WebServer | undefined;
let plain: Server | undefined;
let plainUrl = '';

/** Serves what `server` serves, without the headers that make a page cross-origin isolated. */
async function startPlainProxy(target: string): Promise<void> {
  plain = createServer((req, res) => {
    void fetch(new URL(req.url ?? '/', target)).then(async (r) => {
      res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => plain!.listen(0, '127.0.0.1', resolve));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
}

before(async () => {
  mkdirSync(site, { recursive: true });
  if (!haveChromium) return;
  buildWeb(site);
  const rgb = await decodeImage(dataPath('images', 'cat.bmp'));
  writeFileSync(photo, await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).png().toBuffer());
  server = await startWebServer({ webDir: site, modelDir: dataPath('models'), port: 0 });
  await startPlainProxy(server.url);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => (plain ? plain.close(resolve) : resolve(undefined)));
});

async function open(base: string, query = ''): Promise<{ page: Page; problems: string[] }> {
  const page = await needChromium(browser, 'to test threads in a browser').newPage({ viewport: { width: 1100, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(base + query, { waitUntil: 'load' });
  return { page, problems };
}

/** A deterministic uint8 input of `n` values. */
function input(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i * 7919 + ((i * i) >>> 3)) % 256);
}

interface BrowserRun {
  threads: number;
  inWorker: boolean;
  out: number[];
  scores: number[];
  top: { index: number; label: string; score: number }[];
  afterDispose: string;
}

/** Loads `url` with `options` in the page, runs `x` and scores the photo, then disposes the model. */
async function runInPage(page: Page, url: string, options: object, x: number[]): Promise<BrowserRun> {
  return page.evaluate(async ({ url, options, x }) => {
    const lib = './mobilenet.js';
    const m = (await import(lib)) as typeof import('../../src/web/index.js');
    const model = await m.loadModel(url, options);
    const [y] = await model.run(Uint8Array.from(x));
    const image = await (await fetch('cat.png')).blob();
    const scores = await model.scores(image);
    const top = await model.classify(image, { topK: 5 });
    model.dispose();
    const afterDispose = await model.run(Uint8Array.from(x)).then(() => 'ran', (e: Error) => `${e.name}: ${e.message}`);
    return { threads: model.threads, inWorker: model.inWorker, out: Array.from(y as Uint8Array), scores: Array.from(scores), top, afterDispose };
  }, { url, options, x });
}

test('browser threads: v2 uint8 with threads 2 in a worker gives the Node engine\'s bytes and scores', { skip: skipWithoutChromium, timeout: 120_000 }, async () => {
  const node = await loadModel(sharedTflite.v2_uint8);
  const x = input(224 * 224 * 3);
  const want = Array.from(node.run(Uint8Array.from(x))[0] as Uint8Array);
  const wantScores = Array.from(await node.scores(photo));
  const wantTop = await node.classify(photo, { topK: 5 });
  const { page, problems } = await open(needChromium(server, 'to serve the page').url);
  try {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const got = await runInPage(page, V2, { threads: 2 }, x);
    assert.equal(got.threads, 2, 'the worker runs one pool worker besides itself');
    assert.equal(got.inWorker, true);
    assert.equal(got.out.length, 1001);
    assert.ok(new Set(want).size > 5, 'a non-trivial output');
    assert.deepEqual(got.out, want, 'quantized output bytes equal Node\'s');
    assert.deepEqual(got.scores, wantScores, 'probabilities of the photo equal Node\'s');
    // Loaded by URL alone, the model has no labels: the same classes and scores, by index.
    assert.deepEqual(got.top, wantTop.map((p) => ({ ...p, label: String(p.index) })));
    assert.ok(['tabby', 'tiger cat', 'Egyptian cat'].includes(wantTop[0]!.label), JSON.stringify(wantTop));
    assert.equal(got.afterDispose, "MobilenetError: model 'http://" + new URL(server!.url).host + '/' + V2 + "' was disposed");
    // Three threads, a smaller model: the same bytes again.
    const v1 = await loadModel(sharedTflite.v1_025_128_quant);
    const x1 = input(128 * 128 * 3);
    const three = await runInPage(page, V1, { threads: 3 }, x1);
    assert.equal(three.threads, 3);
    assert.deepEqual(three.out, Array.from(v1.run(Uint8Array.from(x1))[0] as Uint8Array));
    assert.deepEqual(three.scores, Array.from(await v1.scores(photo)));
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('browser threads: the demo page with ?threads=2 classifies in a worker like Node, and switches to 1 thread', { skip: skipWithoutChromium, timeout: 120_000 }, async () => {
  const node = await loadModel(sharedTflite.v2_uint8);
  const nodeTop = await node.classify(photo, { topK: 5 });
  const { page, problems } = await open(needChromium(server, 'to serve the page').url, '?model=mobilenet_v2_1.0_224.uint8&threads=2');
  const state = async (s: string): Promise<void> => {
    await page.waitForFunction((s) => ['error', s].includes(document.body.dataset.state ?? ''), s, { timeout: 60_000 });
    const got = await page.evaluate(() => document.body.dataset.state);
    if (got !== s) assert.fail(`page is in state ${got}: ${await page.locator('#error').innerText()}`);
  };
  const api = (): Promise<PageApi> => page.evaluate(() => (window as unknown as { mobilenetPage: PageApi }).mobilenetPage);
  try {
    await state('ready');
    assert.deepEqual((await api()).model && { threads: (await api()).model!.threads, inWorker: (await api()).model!.inWorker }, { threads: 2, inWorker: true });
    assert.equal(await page.locator('#threads-select').inputValue(), '2');
    assert.match(await page.locator('#model-status').innerText(), /, 2 threads in a worker\.$/);
    await page.locator('#image-file').setInputFiles(photo);
    await state('done');
    assert.deepEqual((await api()).last!.predictions, nodeTop);
    const items = await page.locator('#results li').allInnerTexts();
    assert.ok(items[0]!.startsWith(nodeTop[0]!.label), items[0]);
    mkdirSync(tmpDir, { recursive: true });
    const shot = await page.screenshot({ path: join(tmpDir, 'web-threads.png'), fullPage: true });
    assert.ok(shot.length > 10_000);

    await page.locator('#threads-select').selectOption('1');
    await state('done');
    assert.deepEqual((await api()).model && { threads: (await api()).model!.threads, inWorker: (await api()).model!.inWorker }, { threads: 1, inWorker: false });
    assert.match(await page.locator('#model-status').innerText(), /, on the page\.$/);
    assert.deepEqual((await api()).last!.predictions, nodeTop);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('browser threads: a page that is not cross-origin isolated is told which headers threads need; one thread in a worker still runs', { skip: skipWithoutChromium, timeout: 120_000 }, async () => {
  needChromium(server, 'to serve the page');
  const { page, problems } = await open(plainUrl, '?threads=2');
  try {
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 60_000 });
    const shown = await page.locator('#error').innerText();
    assert.match(shown, /^threads: 2 need SharedArrayBuffer, which a page has only when cross-origin isolated: serve it with the headers 'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp'/);
    const thrown = await page.evaluate(async (url) => {
      const lib = './mobilenet.js';
      const m = (await import(lib)) as typeof import('../../src/web/index.js');
      return m.loadModel(url, { threads: 4 }).then(() => 'loaded', (e: Error) => `${e instanceof m.UnsupportedError} ${e.message}`);
    }, V1);
    assert.match(thrown, /^true threads: 4 need SharedArrayBuffer.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);

    const missing = await page.evaluate(async (url) => {
      const lib = './mobilenet.js';
      const m = (await import(lib)) as typeof import('../../src/web/index.js');
      return m.loadModel(url, { worker: true, workerUrl: 'no-such-script.js' }).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`);
    }, V1);
    assert.match(missing, /^MobilenetError: the model's worker \(http:\/\/127\.0\.0\.1:\d+\/no-such-script\.js\) failed to start$/);

    const v1 = await loadModel(sharedTflite.v1_025_128_quant);
    const x = input(128 * 128 * 3);
    const got = await runInPage(page, V1, { worker: true }, x);
    assert.deepEqual({ threads: got.threads, inWorker: got.inWorker }, { threads: 1, inWorker: true });
    assert.deepEqual(got.out, Array.from(v1.run(Uint8Array.from(x))[0] as Uint8Array));
    assert.deepEqual(got.scores, Array.from(await v1.scores(photo)));
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('browser workers: throughput mode spreads concurrent calls over 2 workers, without cross-origin isolation, with Node\'s bytes', { skip: skipWithoutChromium, timeout: 120_000 }, async () => {
  needChromium(server, 'to serve the page');
  const v1 = await loadModel(sharedTflite.v1_025_128_quant);
  const xs = [0, 1, 2, 3, 4, 5].map((k) => input(128 * 128 * 3).map((v, i) => (v + k * 31 + (i % (k + 2))) & 255));
  const want = xs.map((x) => Array.from(v1.run(Uint8Array.from(x))[0] as Uint8Array));
  const { page, problems } = await open(plainUrl);
  try {
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    const got = await page.evaluate(async ({ url, xs }) => {
      const lib = './mobilenet.js';
      const m = (await import(lib)) as typeof import('../../src/web/index.js');
      const model = await m.loadModel(url, { workers: 2 });
      const outs = await Promise.all(xs.map(async (x) => Array.from((await model.run(Uint8Array.from(x)))[0] as Uint8Array)));
      const image = await (await fetch('cat.png')).blob();
      const tops = await Promise.all([0, 1, 2].map(() => model.classify(image, { topK: 3 })));
      const both = await m.loadModel(url, { workers: 2, threads: 2 }).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`);
      const bad = await m.loadModel(url, { workers: 0 }).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`);
      model.dispose();
      return { workers: model.workers, threads: model.threads, inWorker: model.inWorker, outs, tops, both, bad };
    }, { url: V1, xs });
    assert.deepEqual({ workers: got.workers, threads: got.threads, inWorker: got.inWorker }, { workers: 2, threads: 1, inWorker: true });
    assert.deepEqual(got.outs, want, 'each output equals the Node engine\'s');
    const nodeTop = await v1.classify(photo, { topK: 3 });
    for (const top of got.tops) assert.deepEqual(top, nodeTop);
    assert.equal(got.both, 'UnsupportedError: workers: 2 run one thread each: give workers or threads, not both');
    assert.equal(got.bad, 'UnsupportedError: workers must be an integer from 1 to 32, got 0');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
