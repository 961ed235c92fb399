import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium, needChromium, skipWithoutChromium } from '../helpers/browser.js';
import { dataPath, projectRoot, tmpDir } from '../helpers/data.js';
import { runCli } from '../helpers/cli.js';
import { classFolderDataset } from './eval_dataset.js';

/*
 * The HTML report opened in a real headless Chromium (Debian's `chromium` package, driven by playwright-core).
 * Without it the tests fail under CI=true and are skipped elsewhere. UPDATE_DOCS_SCREENSHOT=1 also writes
 * docs/eval-report.png from the run.
 */
const root = join(tmpDir, 'report-browser');
const MODEL = ['--model', 'v1-0.25-128-quant'];

let browser: Browser | undefined;

before(async () => {
  if (!haveChromium) return;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

function needBrowser(): Browser {
  return needChromium(browser, 'to check the HTML report');
}

/** Opens a report file, recording every request that is not for the file itself or a data URI. */
async function open(file: string): Promise<{ page: Page; external: string[] }> {
  const page = await needBrowser().newPage({ viewport: { width: 1280, height: 900 } });
  const external: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('request', (r) => {
    if (r.url() !== url && !r.url().startsWith('data:')) external.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, external };
}

test('report of a real class-folder run: matrix, bars and decoded thumbnails visible in Chromium', { skip: skipWithoutChromium }, async () => {
  needBrowser();
  const { dir } = classFolderDataset(join(root, 'real'), 45, 11);
  const report = join(root, 'real', 'report.html');
  // A relative folder, as a user would type it: the report shows it.
  const r = await runCli(['eval', relative(process.cwd(), dir), ...MODEL, '--json', '--report', report]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { top1: number; top5: number; count: number };
  const wrong = Math.round(result.count * (1 - result.top1));
  assert.ok(wrong > 0, 'the small model gets some of these wrong');
  const { page, external } = await open(report);
  try {
    const summary = await page.locator('#summary').innerText();
    assert.ok(summary.includes(`${(100 * result.top1).toFixed(1)}%`), summary);
    assert.ok(summary.includes(`${(100 * result.top5).toFixed(1)}%`), summary);
    const cm = await page.locator('table.cm').boundingBox();
    assert.ok(cm && cm.width > 300 && cm.height > 300, `confusion matrix box ${JSON.stringify(cm)}`);
    const rows = await page.locator('table.cm tbody tr').count();
    assert.ok(rows > 10 && rows <= 31, `${rows} rows: the most-confused classes and an "other" row`);
    assert.equal(await page.locator('table.cm tbody tr:last-child th').innerText(), 'other');
    const diag = await page.locator('table.cm td:not(.z)').evaluateAll((tds) =>
      tds.map((td) => ({ n: Number(td.textContent), bg: getComputedStyle(td).backgroundColor })),
    );
    assert.equal(diag.reduce((a, d) => a + d.n, 0), result.count, 'matrix cells add up to the image count');
    assert.ok(diag.every((d) => d.bg !== 'rgba(0, 0, 0, 0)'), 'non-zero cells are shaded');
    const bars = await page.locator('#per-class .bar .t span').evaluateAll((s) => s.filter((e) => e.getBoundingClientRect().width > 0).length);
    assert.ok(bars > 0, 'some precision/recall bars drawn');
    const imgs = await page.locator('#misclassified img').evaluateAll((els) =>
      (els as HTMLImageElement[]).map((i) => ({ nw: i.naturalWidth, nh: i.naturalHeight, w: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height })),
    );
    assert.equal(imgs.length, wrong, 'one thumbnail per misclassified image');
    for (const i of imgs) {
      assert.ok(i.nw > 0 && i.nh > 0 && Math.max(i.nw, i.nh) <= 112, `decoded thumbnail ${JSON.stringify(i)}`);
      assert.ok(i.w > 0 && i.h > 0, 'thumbnail laid out');
    }
    assert.deepEqual(external, [], 'the report loads nothing from outside');
    mkdirSync(tmpDir, { recursive: true });
    const shot = await page.screenshot({ path: join(tmpDir, 'eval-report.png'), fullPage: true });
    assert.ok(shot.length > 10_000);
    if (process.env.UPDATE_DOCS_SCREENSHOT) {
      const png = await sharp(shot).resize({ width: 1024 }).png({ palette: true, colours: 256, compressionLevel: 9 }).toBuffer();
      assert.ok(png.length < 400_000, `docs screenshot is ${png.length} bytes`);
      writeFileSync(join(projectRoot, 'docs', 'eval-report.png'), png);
    }
  } finally {
    await page.close();
  }
});

test('report: a label and a file name holding markup render as text in Chromium', { skip: skipWithoutChromium }, async () => {
  needBrowser();
  const dir = join(root, 'hostile', 'classes');
  const evil = `tench <u>&amp; "quoted" 'single'`;
  const label = `${evil}, <script>window.__pwned = 1</script>`;
  const file = `<img src=x onerror="window.__pwned = 2">.bmp`;
  mkdirSync(join(dir, evil), { recursive: true });
  if (!existsSync(join(dir, evil, file))) symlinkSync(dataPath('images', 'grace_hopper.bmp'), join(dir, evil, file));
  const labels = readFileSync(dataPath('models', 'labels.txt'), 'utf8').replace(/^1:tench, Tinca tinca$/m, `1:${label}`);
  assert.ok(labels.includes(label));
  const labelsFile = join(root, 'hostile', 'labels.txt');
  writeFileSync(labelsFile, labels);
  const report = join(root, 'hostile', 'report.html');
  const r = await runCli(['eval', dir, ...MODEL, '--labels', labelsFile, '--json', '--report', report]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { top1: number; per_class: { label: string }[] };
  assert.deepEqual(result.per_class.map((c) => c.label), [label]);
  assert.equal(result.top1, 0, 'Grace Hopper is no tench');
  const { page } = await open(report);
  try {
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.evaluate(() => document.scripts.length), 0);
    assert.equal(await page.locator('img[src="x"], u').count(), 0, 'no element made from a label or a file name');
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(label), 'the full label shows as text in the per-class table');
    assert.ok(text.includes(file), 'the file name shows as text under its thumbnail');
    const img = await page.locator('#misclassified img').evaluate((i) => (i as HTMLImageElement).naturalWidth);
    assert.ok(img > 0, 'the BMP thumbnail decodes');
  } finally {
    await page.close();
  }
});
