import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
 * The browser decoder (bundle's decodeImage) on every input kind against Node's decoder: lossless inputs must give
 * the same pixels; a JPEG with an EXIF orientation the same orientation. Skipped without Chromium unless CI=true.
 */

let browser: Browser | undefined;
let server: WebServer | undefined;
let page: Page | undefined;

before(async () => {
  if (!haveChromium) return;
  const site = join(tmpDir, 'web', 'decode-site');
  buildWeb(site);
  server = await startWebServer({ webDir: site, modelDir: join(dataPath('models'), 'mobilenet_v1_0.25_128_quant'), port: 0 });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(server.url, { waitUntil: 'load' });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function needPage(): Page {
  return needChromium(page, 'to test the browser decoder');
}

/** Decodes `bytes` in the page as each input kind; returns per kind the size and a digest of the RGB bytes. */
function decodeInPage(p: Page, b64: string, maxPixels?: number): Promise<Record<string, { width: number; height: number; sum: number; first: number[] } | string>> {
  return p.evaluate(
    async ({ b64, maxPixels }) => {
      const url = './mobilenet.js';
      const m = (await import(url)) as {
        decodeImage(x: unknown, o?: { maxPixels?: number; name?: string }): Promise<{ width: number; height: number; data: Uint8Array }>;
      };
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const blob = new Blob([bytes]);
      const digest = (r: { width: number; height: number; data: Uint8Array }) => {
        let sum = 0;
        for (let i = 0; i < r.data.length; i++) sum = (sum * 31 + r.data[i]! * (i + 1)) % 2147483647;
        return { width: r.width, height: r.height, sum, first: Array.from(r.data.subarray(0, 12)) };
      };
      const out: Record<string, unknown> = {};
      const tryKind = async (kind: string, make: () => Promise<unknown>) => {
        try {
          out[kind] = digest(await m.decodeImage(await make(), { maxPixels, name: 'photo' }));
        } catch (e) {
          out[kind] = `${(e as Error).name}: ${(e as Error).message}`;
        }
      };
      await tryKind('blob', async () => blob);
      await tryKind('file', async () => new File([bytes], 'photo.file'));
      const objectUrl = URL.createObjectURL(blob);
      const img = new Image();
      img.src = objectUrl;
      await tryKind('img', async () => img);
      await tryKind('bitmap', () => createImageBitmap(blob));
      await tryKind('canvas', async () => {
        const bmp = await createImageBitmap(blob);
        const c = document.createElement('canvas');
        c.width = bmp.width;
        c.height = bmp.height;
        c.getContext('2d')!.drawImage(bmp, 0, 0);
        return c;
      });
      await tryKind('imagedata', async () => {
        const bmp = await createImageBitmap(blob);
        const c = new OffscreenCanvas(bmp.width, bmp.height);
        const ctx = c.getContext('2d')!;
        ctx.drawImage(bmp, 0, 0);
        return ctx.getImageData(0, 0, bmp.width, bmp.height);
      });
      URL.revokeObjectURL(objectUrl);
      return out as Record<string, { width: number; height: number; sum: number; first: number[] } | string>;
    },
    { b64, maxPixels },
  );
}

function digest(r: { width: number; height: number; data: Uint8Array }): { width: number; height: number; sum: number; first: number[] } {
  let sum = 0;
  for (let i = 0; i < r.data.length; i++) sum = (sum * 31 + r.data[i]! * (i + 1)) % 2147483647;
  return { width: r.width, height: r.height, sum, first: Array.from(r.data.subarray(0, 12)) };
}

test('browser decoder: PNG as Blob, File, <img>, ImageBitmap, canvas and ImageData gives Node\'s pixels', { skip: skipWithoutChromium }, async () => {
  const p = needPage();
  const rgb = await decodeImage(dataPath('images', 'grace_hopper.bmp'));
  const png = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).png().toBuffer();
  const want = digest(await decodeImage(png));
  assert.deepEqual(want, digest(rgb));
  const got = await decodeInPage(p, png.toString('base64'));
  for (const kind of ['blob', 'file', 'img', 'bitmap', 'canvas', 'imagedata']) assert.deepEqual(got[kind], want, kind);
});

test('browser decoder: a BMP Blob goes through our own reader, as in Node', { skip: skipWithoutChromium }, async () => {
  const p = needPage();
  const bmp = readFileSync(dataPath('images', 'cat.bmp'));
  const got = await decodeInPage(p, bmp.toString('base64'));
  assert.deepEqual(got.blob, digest(await decodeImage(bmp)));
});

test('browser decoder: EXIF orientation applied as in Node (JPEG, orientation 6)', { skip: skipWithoutChromium }, async () => {
  const p = needPage();
  const rgb = await decodeImage(dataPath('images', 'cat.bmp'));
  const jpeg = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
  const node = await decodeImage(jpeg);
  assert.deepEqual([node.width, node.height], [rgb.height, rgb.width], 'Node rotates');
  const got = await p.evaluate(async (b64) => {
    const m = (await import('./mobilenet.js' as string)) as { decodeImage(x: Blob): Promise<{ width: number; height: number; data: Uint8Array }> };
    const r = await m.decodeImage(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]));
    return { width: r.width, height: r.height, data: Array.from(r.data) };
  }, jpeg.toString('base64'));
  assert.deepEqual([got.width, got.height], [node.width, node.height]);
  let diff = 0;
  for (let i = 0; i < node.data.length; i++) diff += Math.abs(node.data[i]! - got.data[i]!);
  const mean = diff / node.data.length;
  assert.ok(mean < 2, `mean absolute difference to libjpeg ${mean.toFixed(3)} (same orientation, decoders differ slightly)`);
});

test('browser decoder: pixel limit from the header, before decoding; empty and unknown files', { skip: skipWithoutChromium }, async () => {
  const p = needPage();
  const rgb = await decodeImage(dataPath('images', 'resized_cat.bmp'));
  const png = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).png().toBuffer();
  const limited = await decodeInPage(p, png.toString('base64'), 224 * 224 - 1);
  for (const kind of ['blob', 'img', 'bitmap', 'canvas', 'imagedata']) {
    assert.match(String(limited[kind]), /^ImageError: image '(photo|photo\.file)' is 224x224 \(0\.1 MP\), over the limit of 0\.1 MP$/, kind);
  }
  // A PNG header claiming 100000 x 100000 with no pixel data: refused from the header.
  const huge = Buffer.from(png.subarray(0, 33));
  huge.writeUInt32BE(100_000, 16);
  huge.writeUInt32BE(100_000, 20);
  const bomb = await decodeInPage(p, huge.toString('base64'));
  assert.match(String(bomb.blob), /^ImageError: image 'photo' is 100000x100000 \(10000 MP\), over the limit of 50 MP$/);
  const errors = await p.evaluate(async () => {
    const m = (await import('./mobilenet.js' as string)) as { decodeImage(x: unknown): Promise<unknown> };
    const msg = (x: unknown) => m.decodeImage(x).then(() => 'decoded', (e: Error) => `${e.name}: ${e.message}`);
    const broken = new Image();
    broken.src = 'data:image/png;base64,AAAA';
    return [
      await msg(new File([], 'empty.png')),
      await msg(new File(['just text'], 'notes.png')),
      await msg(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])], 'cut.png')),
      await msg(broken),
      await msg({ width: 2 }),
    ];
  });
  assert.equal(errors[0], "ImageError: image 'empty.png': empty file (0 bytes)");
  assert.equal(errors[1], "ImageError: image 'notes.png': not an image (unrecognised format)");
  assert.match(errors[2]!, /^ImageError: image 'cut\.png': cannot decode this PNG file in this browser/);
  assert.match(errors[3]!, /^ImageError: image '<image>': the <img> element has no decoded picture/);
  assert.match(errors[4]!, /^TypeError: decodeBrowserImage: expected an HTMLImageElement/);
});

test('browser Model.classify: <img>, ImageBitmap and RgbImage give the same top-5 as Node', { skip: skipWithoutChromium }, async () => {
  const p = needPage();
  const rgb = await decodeImage(dataPath('images', 'cat.bmp'));
  const png = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).png().toBuffer();
  const node = await (await loadModel(sharedTflite.v1_025_128_quant)).classify(rgb);
  const got = await p.evaluate(async (b64) => {
    type M = { classify(x: unknown): Promise<{ label: string; score: number }[]> };
    const m = (await import('./mobilenet.js' as string)) as { loadModel(u: string): Promise<M>; decodeImage(x: Blob): Promise<unknown> };
    const model = await m.loadModel('models/mobilenet_v1_0.25_128_quant.tflite');
    const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' });
    const img = new Image();
    img.src = URL.createObjectURL(blob);
    await img.decode();
    return {
      img: await model.classify(img),
      bitmap: await model.classify(await createImageBitmap(blob)),
      rgb: await model.classify(await m.decodeImage(blob)),
      badRgb: await model.classify({ width: 4, height: 4, data: new Uint8Array(5) }).then(() => 'ok', (e: Error) => `${e.name}: ${e.message}`),
    };
  }, png.toString('base64'));
  for (const kind of ['img', 'bitmap', 'rgb'] as const) {
    assert.deepEqual(got[kind].map((x) => x.label), node.map((x) => x.label), kind);
    got[kind].forEach((x, i) => assert.ok(Math.abs(x.score - node[i]!.score) <= 1e-6, `${kind} ${i}`));
  }
  assert.equal(got.badRgb, 'ImageError: RGB image of 4x4 has 5 bytes, expected 48');
});
