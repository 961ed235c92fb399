// Elementwise nodes run in place (output in an input's memory) only where nothing reads that input afterwards and
// it is not fetched; outputs and fetched intermediates stay those of the reference kernels without in-place reuse.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readTflite } from '../../src/formats/tflite/index.js';
import { numElements } from '../../src/graph/index.js';
import { Session } from '../../src/runtime/index.js';
import { planArena } from '../../src/runtime/arena.js';
import { inPlaceAliases } from '../../src/runtime/in_place.js';
import { sharedTflite } from '../helpers/data.js';
import { randomBytes } from '../helpers/random.js';

const path = sharedTflite.v2_uint8;

test('MobileNetV2: every residual ADD runs in place, never on a fetched or later-read tensor', { skip: !existsSync(path) && 'shared model missing' }, () => {
  const graph = new Session(readTflite(new Uint8Array(readFileSync(path))), { variant: 'ref' }).graph;
  const adds = graph.nodes.filter((n) => n.op === 'ADD');
  const pairs = inPlaceAliases(graph, [], new Map());
  assert.equal(pairs.size, adds.length, 'one in-place pair per ADD');
  for (const n of adds) {
    const x = pairs.get(n.outputs[0]!);
    assert.ok(x !== undefined && n.inputs.includes(x));
    const later = graph.nodes.slice(graph.nodes.indexOf(n) + 1).some((m) => m.inputs.includes(x));
    assert.equal(later, false, `tensor ${x} is read after the ADD that overwrites it`);
  }
  assert.ok(planArena(graph, [], pairs).size <= planArena(graph).size);
  // A fetched input of an ADD is kept.
  const fetched = adds[0]!.inputs[0]!;
  assert.ok(![...inPlaceAliases(graph, [fetched], new Map()).values()].includes(fetched));
});

test('MobileNetV2: fetching the inputs of the ADDs gives the same bytes as the reference kernels', { skip: !existsSync(path) && 'shared model missing' }, () => {
  const g = readTflite(new Uint8Array(readFileSync(path)));
  const fast = new Session(g), ref = new Session(g, { variant: 'ref' });
  const input = fast.graph.tensors[fast.graph.inputs[0]!]!;
  const x = randomBytes(numElements(input.shape), 7);
  const fetch = [...fast.graph.nodes.filter((n) => n.op === 'ADD').flatMap((n) => n.inputs), ...fast.graph.outputs];
  const a = fast.run([x], fetch), b = ref.run([x], fetch);
  fetch.forEach((t, i) => assert.deepEqual(a[i], b[i], `tensor ${t}`));
  assert.deepEqual(fast.run([x])[0], b[b.length - 1]);
});
