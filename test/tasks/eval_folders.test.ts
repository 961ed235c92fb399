import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MobilenetError } from '../../src/errors.js';
import { parseLabels } from '../../src/formats/labels.js';
import { matchFolderLabel } from '../../src/tasks/eval_folders.js';
import { dataPath } from '../helpers/data.js';

const labels = parseLabels(readFileSync(dataPath('models', 'labels.txt'), 'utf8'));

test('folder names match labels exactly, case-insensitively, or by the first comma-separated name', () => {
  assert.equal(labels.length, 1001);
  assert.equal(matchFolderLabel('tench, Tinca tinca', labels), 1);
  assert.equal(matchFolderLabel('TENCH, TINCA TINCA', labels), 1);
  assert.equal(matchFolderLabel('tench', labels), 1);
  assert.equal(matchFolderLabel('Egyptian cat', labels), 286);
  assert.equal(matchFolderLabel('egyptian_cat', labels), 286);
  assert.equal(matchFolderLabel('great-white-shark', labels), 3);
  assert.equal(matchFolderLabel('background', labels), 0);
});

test('an exact match wins over a looser one', () => {
  const custom = ['Cat', 'cat', 'dog, hound', 'dog'];
  assert.equal(matchFolderLabel('cat', custom), 1);
  assert.equal(matchFolderLabel('Cat', custom), 0);
  assert.equal(matchFolderLabel('dog', custom), 3);
  assert.equal(matchFolderLabel('DOG', custom), 3);
});

test('no match or several matches: MobilenetError naming the folder and candidates', () => {
  assert.throws(() => matchFolderLabel('hound', ['cat', 'dog, hound']), (e: unknown) => {
    assert.ok(e instanceof MobilenetError);
    assert.match(e.message, /class folder 'hound' matches no label of the model; similar labels: 'dog, hound' \(2 in all\)/);
    return true;
  });
  assert.throws(() => matchFolderLabel('qqq-zzz', labels), /matches no label of the model; labels are like: 'tench, Tinca tinca', 'goldfish, Carassius auratus'/);
  assert.throws(() => matchFolderLabel('zebra crossing', labels), /similar labels: 'zebra' \(1001 in all\)/);
  assert.equal(matchFolderLabel('maillot', labels), 639, 'the exact label, not the first name of 640');
  assert.throws(() => matchFolderLabel('crane', labels), /matches 2 labels \(135 'crane', 518 'crane'\)/);
});
