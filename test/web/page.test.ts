import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium, needChromium, skipWithoutChromium } from '../helpers/browser.js';
import { dataPath, projectRoot, sharedTflite, tmpDir } from '../helpers/data.js';
import { decodeImage } from '../../src/formats/image/index.js';
import { loadModel } from '../../src/tasks/load.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { buildWeb } from './build.js';

/*
 * The browser page in headless Chromium (Debian's `chromium`, driven by playwright-core) against our Node engine.
 * The photo is cat.bmp converted to PNG: PNG decoding is lossless in both, so the browser and Node see the same
 * pixels (a JPEG could differ slightly between the browser's decoder and libjpeg) and, the engine being the
 * same, the same scores. Without Chromium the tests fail under CI=true and are skipped elsewhere.
 * UPDATE_DOCS_SCREENSHOT=1 also writes docs/web-page.png.
 */
const root = join(tmpDir, 'web', 'page');
const photo = join(root, 'cat.png');

interface PageApi {
  run(input: number[]): number[];
  last?: { predictions: { index: number; label: string; score: number }[]; inferenceMs: number };
  model?: { source: string };
}

let browser: Browser | undefined;
let server: WebServer | undefined;

before(async () => {
  mkdirSync(root, { recursive: true });
  const rgb = await decodeImage(dataPath('images', 'cat.bmp'));
  writeFileSync(photo, await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).png().toBuffer());
  if (!haveChromium) return;
  buildWeb(join(root, 'site'));
  server = await startWebServer({ webDir: join(root, 'site'), modelDir: dataPath('models'), port: 0 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function needBrowser(): Browser {
  return needChromium(browser, 'to test the web page');
}

/** Opens the page; fails the test on any page error or request outside the server. */
async function open(query = ''): Promise<{ page: Page; problems: string[] }> {
  const page = await needBrowser().newPage({ viewport: { width: 1100, height: 860 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(server!.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) problems.push(`request to ${r.url()}`);
  });
  await page.goto(server!.url + query, { waitUntil: 'load' });
  return { page, problems };
}

async function waitState(page: Page, state: string): Promise<void> {
  await page.waitForFunction((s) => ['error', s].includes(document.body.dataset.state ?? ''), state, { timeout: 60_000 });
  const got = await page.evaluate(() => document.body.dataset.state);
  if (got !== state) assert.fail(`page is in state ${got}: ${await page.locator('#error').innerText()}`);
}

async function shownPredictions(page: Page): Promise<{ label: string; score: number }[]> {
  const last = await page.evaluate(() => (window as unknown as { mobilenetPage: PageApi }).mobilenetPage.last);
  assert.ok(last, 'the page recorded its last classification');
  assert.ok(last.inferenceMs > 0);
  return last.predictions;
}

function assertSame(browserTop: { label: string; score: number }[], nodeTop: { label: string; score: number }[]): void {
  assert.equal(browserTop.length, 5);
  assert.deepEqual(browserTop.map((p) => p.label), nodeTop.map((p) => p.label));
  for (let i = 0; i < 5; i++) {
    assert.ok(Math.abs(browserTop[i]!.score - nodeTop[i]!.score) <= 1e-6, `score ${i}: ${browserTop[i]!.score} vs ${nodeTop[i]!.score}`);
  }
}

test('page: served v1 0.25 128 quant and a PNG photo give the top-5 of the Node engine; model file input; raw run', { skip: skipWithoutChromium }, async () => {
  needBrowser();
  const node = await loadModel(sharedTflite.v1_025_128_quant);
  const nodeTop = await node.classify(photo, { topK: 5 });
  // libcoral's test case for this model on cat.bmp: tiger cat in the top 3 with a score of at least 0.25.
  assert.ok(nodeTop.slice(0, 3).some((p) => p.label === 'tiger cat' && p.score >= 0.25), JSON.stringify(nodeTop));
  const { page, problems } = await open();
  try {
    await waitState(page, 'ready');
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'COOP/COEP make the page cross-origin isolated');
    assert.match(await page.locator('#model-select option:checked').innerText(), /^mobilenet_v1_0\.25_128_quant \(\d+ KB\)$/);
    await page.locator('#image-file').setInputFiles(photo);
    await waitState(page, 'done');
    assertSame(await shownPredictions(page), nodeTop);
    const items = await page.locator('#results li').allInnerTexts();
    assert.equal(items.length, 5);
    assert.ok(items[0]!.startsWith(nodeTop[0]!.label), items[0]);
    assert.match(await page.locator('#timing').innerText(), /^Inference \d+\.\d ms at 128×128/);
    const bar = await page.locator('#results li:first-child .bar span').evaluate((e) => e.getBoundingClientRect().width);
    assert.ok(bar > 10, `top bar drawn (${bar}px)`);
    assert.ok(await page.locator('#preview-img').evaluate((i) => (i as HTMLImageElement).naturalWidth === 512));

    // The same model picked as a file: re-classifies the shown image.
    await page.locator('#model-file').setInputFiles(sharedTflite.v1_025_128_quant);
    await waitState(page, 'done');
    assert.equal(await page.evaluate(() => (window as unknown as { mobilenetPage: PageApi }).mobilenetPage.model?.source), 'mobilenet_v1_0.25_128_quant.tflite');
    assertSame(await shownPredictions(page), nodeTop);

    // A fixed input tensor: the quantized output bytes equal Node's.
    const input = Array.from({ length: 128 * 128 * 3 }, (_, i) => (i * 7919 + ((i * i) >>> 3)) % 256);
    const out = await page.evaluate((x) => (window as unknown as { mobilenetPage: PageApi }).mobilenetPage.run(x), input);
    const ref = Array.from(node.run(Uint8Array.from(input))[0] as Uint8Array);
    assert.equal(out.length, 1001);
    assert.deepEqual(out, ref);
    assert.ok(new Set(ref).size > 5, 'a non-trivial output');

    mkdirSync(tmpDir, { recursive: true });
    const shot = await page.screenshot({ path: join(tmpDir, 'web-page.png'), fullPage: true });
    assert.ok(shot.length > 10_000);
    if (process.env.UPDATE_DOCS_SCREENSHOT) {
      const png = await sharp(shot).resize({ width: 880 }).png({ palette: true, colours: 128, compressionLevel: 9 }).toBuffer();
      assert.ok(png.length < 250_000, `docs screenshot is ${png.length} bytes`);
      writeFileSync(join(projectRoot, 'docs', 'web-page.png'), png);
    }
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('page: a served model without embedded labels gets the labels file beside it (v2 uint8)', { skip: skipWithoutChromium }, async () => {
  needBrowser();
  const node = await loadModel(sharedTflite.v2_uint8);
  assert.ok(node.labels, 'Node finds labels.txt beside the model');
  const nodeTop = await node.classify(photo, { topK: 5 });
  const { page, problems } = await open('?model=mobilenet_v2_1.0_224.uint8');
  try {
    await waitState(page, 'ready');
    await page.locator('#image-file').setInputFiles(photo);
    await waitState(page, 'done');
    assertSame(await shownPredictions(page), nodeTop);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('page: a file that is no model and a file that is no image are reported, not thrown', { skip: skipWithoutChromium }, async () => {
  needBrowser();
  const { page, problems } = await open();
  try {
    await waitState(page, 'ready');
    await page.locator('#model-file').setInputFiles(dataPath('models', 'labels.txt'));
    await waitState(page, 'error');
    assert.match(await page.locator('#error').innerText(), /model 'labels\.txt': unrecognised format \(expected a \.tflite flatbuffer\)/);
    await page.locator('#model-select').selectOption({ index: 0 });
    await waitState(page, 'ready');
    await page.locator('#image-file').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('hello, not a picture') });
    await waitState(page, 'error');
    assert.equal(await page.locator('#error').innerText(), "image 'notes.jpg': not an image (unrecognised format)");
    const crossOrigin = await page.evaluate(async () => {
      const url = './mobilenet.js';
      const m = (await import(url)) as { loadModel(u: string): Promise<unknown> };
      return m.loadModel('http://other.invalid/model.tflite').then(
        () => 'loaded',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    });
    assert.match(crossOrigin, /^MobilenetError: model URL 'http:\/\/other\.invalid\/model\.tflite' is not on this page's origin/);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
