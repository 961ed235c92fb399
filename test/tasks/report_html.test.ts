import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvalPrediction, EvalResult } from '../../src/tasks/evaluate.js';
import { confusionMatrix } from '../../src/tasks/report_confusion.js';
import { escapeHtml, misclassified, renderEvalReport } from '../../src/tasks/report_html.js';

const pred = (label: number, top1: number, score = 0.5, path = `/data/${label}/${top1}-${score}.jpg`): EvalPrediction => ({
  path,
  label,
  top5: [top1, ...[7, 8, 9, 10, 11].filter((c) => c !== top1)].slice(0, 5),
  scores: [score, 0.1, 0.05, 0.02, 0.01],
  labelScore: label === top1 ? score : 0.01,
});

test('confusion matrix of a small case, counted by hand', () => {
  const cm = confusionMatrix([pred(0, 0), pred(0, 1), pred(1, 1), pred(2, 3), pred(2, 3)]);
  assert.deepEqual(cm.rows, [0, 1, 2]);
  assert.deepEqual(cm.cols, [0, 1, 2, 3]);
  assert.deepEqual(cm.counts, [
    [1, 1, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 0, 2],
  ]);
  assert.equal(cm.otherRow, false);
  assert.equal(cm.otherCol, false);
});

test('confusion matrix with many classes: the most-confused rows, the rest summed under other', () => {
  const preds: EvalPrediction[] = [];
  for (let c = 0; c < 200; c++) {
    for (let k = 0; k < 3; k++) preds.push(pred(c, c < 20 && k === 0 ? 500 + (c % 7) : c));
  }
  const cm = confusionMatrix(preds, { maxRows: 30, maxCols: 34 });
  assert.equal(cm.trueClasses, 200);
  assert.equal(cm.predictedClasses, 207);
  // Rows 0..19 (one error each) bring columns 500..506; rows 20..26 fill the 34 columns; the rest is "other".
  assert.deepEqual(cm.rows, Array.from({ length: 27 }, (_, i) => i));
  assert.deepEqual(cm.cols.slice(27), [500, 501, 502, 503, 504, 505, 506]);
  assert.ok(cm.otherRow && cm.otherCol);
  assert.equal(cm.counts.length, 28);
  assert.equal(cm.counts.flat().reduce((a, b) => a + b, 0), preds.length, 'every image counted once');
  assert.equal(cm.counts[27]!.at(-1), 3 * 173, 'the other rows: correct images of classes not shown');
  assert.equal(cm.counts[27]!.slice(0, -1).reduce((a, b) => a + b, 0), 0);
  assert.equal(cm.counts[6]![cm.cols.indexOf(506)], 1, 'class 6 mistaken once for 506');
  assert.equal(cm.counts[6]![6], 2);
  assert.equal(cm.counts[6]!.at(-1), 0);
});

const hostileLabel = `<script>alert("x")</script> & 'q'`;
const hostileFile = `/d/<img src=x onerror=alert(1)>.jpg`;

function sampleResult(): EvalResult {
  const predictions = [pred(0, 1, 0.9, hostileFile), pred(1, 1, 0.8, '/d/b.jpg'), pred(0, 0, 0.7, '/d/c.jpg')];
  return {
    top1: 2 / 3,
    top5: 1,
    count: 3,
    skipped: [{ path: '/d/<bad>.txt', error: `image '/d/<bad>.txt': not an image` }],
    per_class: [
      { index: 0, label: hostileLabel, precision: 1, recall: 0.5, support: 2 },
      { index: 1, label: 'dog', precision: 0.5, recall: 1, support: 1 },
    ],
    predictions,
  };
}

test('report: labels, file names and errors are escaped; nothing external, no script', () => {
  const labelOf = (i: number) => (i === 0 ? hostileLabel : i === 1 ? 'dog' : `class ${i}`);
  const html = renderEvalReport(sampleResult(), { model: 'm<1>', labelOf, date: new Date(0) }, new Map([[hostileFile, 'data:image/jpeg;base64,AAAA']]));
  assert.ok(!/<script/i.test(html), 'no script element, and no label smuggled one in');
  assert.ok(!html.includes('<img src=x'));
  assert.ok(!html.includes('<bad>'));
  assert.ok(html.includes(escapeHtml(hostileLabel)));
  assert.equal(escapeHtml(hostileLabel), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;.jpg'));
  assert.ok(html.includes('m&lt;1&gt;'));
  assert.ok(html.includes('1970-01-01 00:00:00 UTC'));
  assert.ok(!/https?:|<link|url\(|@import/i.test(html), 'no external resource');
  for (const m of html.matchAll(/\bsrc="([^"]*)"/g)) assert.match(m[1]!, /^data:image\/jpeg;base64,/);
  assert.match(html, /66\.7%/);
  assert.match(html, /Skipped files/);
});

test('misclassified: most confident mistakes first, capped', () => {
  const r = sampleResult();
  r.predictions.push(pred(1, 4, 0.95, '/d/e.jpg'), pred(1, 5, 0.2, '/d/f.jpg'));
  assert.deepEqual(misclassified(r).map((p) => p.path), ['/d/e.jpg', hostileFile, '/d/f.jpg']);
  assert.deepEqual(misclassified(r, 1).map((p) => p.path), ['/d/e.jpg']);
});
