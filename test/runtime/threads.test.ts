// Worker threads under many back-to-back dispatches: every run of 2 and 3 threads equals the 1-thread run (a lost or
// doubled task would hang, fail the timeout, or change bytes); workers start under `node -e`; the WASM heap's limit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { UnsupportedError } from '../../src/errors.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import { numElements } from '../../src/graph/index.js';
import { Session } from '../../src/runtime/index.js';
import { threadsStarted } from '../../src/runtime/thread_pool.js';
import { createWasmRuntime } from '../../src/runtime/wasm_runtime.js';
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

test('threads: threadsStarted counts the running pool workers of this thread (Node pools start in the constructor)', { skip: !existsSync(model), timeout: 60000 }, async () => {
  const before = await threadsStarted();
  const s = new Session(readTflite(new Uint8Array(readFileSync(model))), { threads: 3 });
  try {
    assert.equal(s.threads, 3);
    assert.equal(await threadsStarted(), before + 2);
  } finally {
    s.dispose();
  }
  assert.equal(await threadsStarted(), before);
});

test('threads: workers start under `node --input-type=module -e` too', { skip: !existsSync(model), timeout: 60000 }, () => {
  const url = (p: string) => new URL(p, import.meta.url).href;
  const script = `
    import { readFileSync } from 'node:fs';
    const { readTflite } = await import(${JSON.stringify(url('../../src/formats/tflite/index.js'))});
    const { Session } = await import(${JSON.stringify(url('../../src/runtime/index.js'))});
    const s = new Session(readTflite(new Uint8Array(readFileSync(${JSON.stringify(model)}))), { threads: 2 });
    const t = s.graph.tensors[s.graph.inputs[0]];
    const [y] = s.run([new Uint8Array(t.shape.reduce((a, b) => a * b, 1)).fill(9)]);
    console.log('ok', s.threads, y.length);
    s.dispose();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 50000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ok 2 1001$/m);
});

test('WASM heap: growing past what the engine allows is an UnsupportedError naming the size', () => {
  const rt = createWasmRuntime(1);
  assert.throws(() => rt.heap.alloc(5 * 2 ** 30), (e: unknown) => e instanceof UnsupportedError && /cannot grow to \d+ bytes/.test(String(e)));
  rt.dispose();
});
