import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseLabels } from '../../src/formats/labels.js';
import { dataPath } from '../helpers/data.js';

test('parseLabels strips N: prefixes when every line has one', () => {
  assert.deepEqual(parseLabels('0:background\n1:tench, Tinca tinca\r\n2: goldfish\n\n'), ['background', 'tench, Tinca tinca', 'goldfish']);
});

test('parseLabels keeps lines as they are when not all are numbered', () => {
  assert.deepEqual(parseLabels('background\n1:tench\n  goldfish  \n'), ['background', '1:tench', 'goldfish']);
  assert.deepEqual(parseLabels('\uFEFFa\n\nb\n\n\n'), ['a', '', 'b']);
  assert.deepEqual(parseLabels(''), []);
});

test('models/labels.txt: 1001 labels, background first, Egyptian cat at 286', () => {
  const labels = parseLabels(readFileSync(dataPath('models', 'labels.txt'), 'utf8'));
  assert.equal(labels.length, 1001);
  assert.equal(labels[0], 'background');
  assert.equal(labels[1], 'tench, Tinca tinca');
  assert.equal(labels[286], 'Egyptian cat');
});
