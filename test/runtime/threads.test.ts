// Worker threads under many back-to-back dispatches: every run of 2 and 3 threads equals the 1-thread run (a lost or
// doubled task would hang, fail the timeout, or change bytes); disposal stops the workers.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readTflite } from '../../src/formats/tflite/index.js';
import { numElements } from '../../src/graph/index.js';
import { Session } from '../../src/runtime/index.js';
import { sharedTflite } from '../helpers/data.js';

const model = sharedTflite.v1_025_128_quant;

test('threads: 2 and 3 threads match 1 thread over many runs of varying inputs', { skip: !existsSync(model), timeout: 120000 }, () => {
  const g = readTflite(new Uint8Array(readFileSync(model)));
  const one = new Session(g, { threads: 1 });
  const many = [new Session(g, { threads: 2 }), new Session(g, { threads: 3 })];
  try {
    const input = one.graph.tensors[one.graph.inputs[0]!]!;
    const n = numElements(input.shape);
    const mids = one.graph.nodes.filter((_, i) => i % 5 === 0).map((node) => node.outputs[0]!);
    const fetch = [one.graph.outputs[0]!, ...mids];
    for (let r = 0; r < 120; r++) {
      const x = Uint8Array.from({ length: n }, (_, i) => (i * (r + 3) + r * 977) & 255);
      const want = one.run([x], fetch);
      for (const s of many) {
        const got = s.run([x], fetch);
        got.forEach((a, k) => assert.deepEqual(a, want[k], `threads ${s.threads}, run ${r}, tensor ${fetch[k]}`));
      }
    }
  } finally {
    for (const s of many) s.dispose();
  }
});
