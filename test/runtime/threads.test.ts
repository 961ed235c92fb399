// Worker threads under many back-to-back dispatches: every run of 2 and 3 threads equals the 1-thread run (a lost or
// doubled task would hang, fail the timeout, or change bytes); workers start under `node -e`; a worker that dies
// (while holding a task, or idle) fails the run with an error naming it, never a hang; the WASM heap's limit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { UnsupportedError } from '../../src/errors.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import { numElements } from '../../src/graph/index.js';
import { Session } from '../../src/runtime/index.js';
import { threadsStarted, type ThreadPool } from '../../src/runtime/thread_pool.js';
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

test('threads: threadsStarted counts the running pool workers of this thread once they have started', { skip: !existsSync(model), timeout: 60000 }, async () => {
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

for (const flags of [[], ['--max-old-space-size=3000', '--experimental-wasm-relaxed-simd']]) {
  // Node refuses V8 flags for a worker: the pools must start theirs without them, not fall back to one thread.
  const how = ['--input-type=module', ...flags].join(' ');
  test(`threads: the pools' workers start under \`node ${how} -e\``, { skip: !existsSync(model), timeout: 60000 }, () => {
    const url = (p: string) => new URL(p, import.meta.url).href;
    const script = `
      import { readFileSync } from 'node:fs';
      const { readTflite } = await import(${JSON.stringify(url('../../src/formats/tflite/index.js'))});
      const { Session, SessionPool } = await import(${JSON.stringify(url('../../src/runtime/index.js'))});
      const g = readTflite(new Uint8Array(readFileSync(${JSON.stringify(model)})));
      const s = new Session(g, { threads: 2 });
      const t = s.graph.tensors[s.graph.inputs[0]];
      const x = new Uint8Array(t.shape.reduce((a, b) => a * b, 1)).fill(9);
      const [y] = s.run([x]);
      const pool = await SessionPool.create(g, { workers: 2 });
      const [[z]] = await pool.run([[x]]);
      console.log('ok', s.threads, s.wasmUnavailable ?? '-', y.length, pool.workers, Buffer.compare(y, z));
      s.dispose();
      await pool.dispose();`;
    const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 50000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ok 2 - 1001 2 0$/m);
  });
}

/** The thread pool of a session (test access to its hook). */
function poolOf(s: Session): ThreadPool {
  return (s as unknown as { wasm: { runner: ThreadPool } }).wasm.runner;
}

/** Runs until a run throws (at most `max` runs, each checked against `want`); returns the error and its run's time. */
function runUntilThrows(s: Session, x: Uint8Array, want: Uint8Array, max: number): { error: unknown; ms: number } {
  for (let r = 0; r < max; r++) {
    const t0 = performance.now();
    try {
      const [y] = s.run([x]);
      // A task of a dying worker lost silently would return here with bytes unlike the 1-thread run's.
      assert.deepEqual(y, want, `run ${r} returned`);
    } catch (error) {
      return { error, ms: performance.now() - t0 };
    }
  }
  assert.fail(`no run of ${max} failed`);
}

test('threads: a worker that dies holding a task fails that run and every later one, naming the thread', { skip: !existsSync(model), timeout: 60000 }, async () => {
  const g = readTflite(new Uint8Array(readFileSync(model)));
  const one = new Session(g, { threads: 1 });
  const s = new Session(g, { threads: 3 });
  try {
    const t = s.graph.tensors[s.graph.inputs[0]!]!;
    const x = Uint8Array.from({ length: numElements(t.shape) }, (_, i) => (i * 7) & 255);
    const [want] = one.run([x]) as [Uint8Array];
    await threadsStarted();
    assert.deepEqual(s.run([x])[0], want);
    // Worker 1 ends its thread once it has taken a task: only the watchdog thread can see it go while this one waits.
    poolOf(s).killWorkerForTest(1, true);
    const { error, ms } = runUntilThrows(s, x, want, 200);
    const message = /^worker thread 1 of 2 (stopped|exited with code 1) while running '\w+'; this session cannot run any more: dispose it and create another$/;
    assert.ok(error instanceof UnsupportedError, String(error));
    assert.match(error.message, message);
    assert.ok(ms < 20000, `the failing run took ${ms} ms`);
    assert.throws(() => s.run([x]), (e: unknown) => e instanceof UnsupportedError && e.message === error.message);
  } finally {
    s.dispose();
  }
});

test('threads: a worker stopped while idle fails the next runs with an error naming it', { skip: !existsSync(model), timeout: 60000 }, async () => {
  const g = readTflite(new Uint8Array(readFileSync(model)));
  const s = new Session(g, { threads: 2 });
  try {
    const t = s.graph.tensors[s.graph.inputs[0]!]!;
    const x = new Uint8Array(numElements(t.shape)).fill(3);
    await threadsStarted();
    const [want] = s.run([x]) as [Uint8Array];
    poolOf(s).killWorkerForTest(1);
    let error: unknown;
    // The watchdog records the exit shortly after: until then runs succeed (the caller takes every task).
    for (let i = 0; i < 500 && error === undefined; i++) {
      await new Promise((r) => setTimeout(r, 10));
      try {
        assert.deepEqual(s.run([x])[0], want);
      } catch (e) {
        error = e;
      }
    }
    assert.ok(error instanceof UnsupportedError, String(error));
    assert.match(error.message, /^worker thread 1 of 1 (stopped|exited with code 1); this session cannot run any more/);
    assert.throws(() => s.run([x]), (e: unknown) => e instanceof UnsupportedError && e.message === error.message);
  } finally {
    s.dispose();
  }
});

test('WASM heap: growing past what the engine allows is an UnsupportedError naming the size', () => {
  const rt = createWasmRuntime(1);
  assert.throws(() => rt.heap.alloc(5 * 2 ** 30), (e: unknown) => e instanceof UnsupportedError && /cannot grow to \d+ bytes/.test(String(e)));
  rt.dispose();
});
