// SessionPool: worker threads each owning a whole session. Outputs on real photos are the single session's bytes, in
// order; a bad input, a graph that cannot be prepared and a worker that dies are clear errors, never a hang.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MobilenetError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import type { Graph, TypedArray } from '../../src/graph/index.js';
import { Session } from '../../src/runtime/index.js';
import { SessionPool } from '../../src/runtime/session_pool.js';
import { loadModel } from '../../src/tasks/load.js';
import { dataPath, sharedTflite } from '../helpers/data.js';

const v2 = sharedTflite.v2_uint8;
const small = sharedTflite.v1_025_128_quant;
const photos = ['dog.jpg', 'grace_hopper.bmp', 'owl.jpg', 'parrot.jpg', 'hot_dog.jpg', 'imagenet_finch.jpeg', 'cat.bmp'].map((f) => dataPath('images', f));
const graphOf = (p: string): Graph => readTflite(new Uint8Array(readFileSync(p)), { source: p });

test('pool of 2 workers on MobileNetV2 uint8: each photo gives the single session\'s output bytes, in input order', { skip: !existsSync(v2), timeout: 120000 }, async () => {
  const model = await loadModel(v2);
  const inputs = await Promise.all(photos.map((p) => model.preprocess(p)));
  const want = inputs.map((x) => model.run(x)[0]!);
  assert.ok(new Set(want.map((w) => Buffer.from(w.buffer).toString('hex'))).size === photos.length, 'photos give distinct outputs');
  const pool = await SessionPool.create(model.graph, { workers: 2 });
  try {
    assert.equal(pool.workers, 2);
    const got = await pool.run(inputs);
    assert.equal(got.length, photos.length);
    got.forEach((outs, i) => {
      assert.equal(outs.length, 1);
      assert.ok(outs[0] instanceof Uint8Array, 'uint8 output');
      assert.deepEqual(outs[0], want[i], photos[i]);
    });
    // Interleaved single runs and a fetch of an intermediate tensor too.
    const mid = model.graph.nodes[10]!.outputs[0]!;
    const [a, b] = await Promise.all([pool.runOne([inputs[1]!], [mid]), pool.runOne([inputs[0]!])]);
    assert.deepEqual(a[0], model.run(inputs[1]!, [mid])[0]);
    assert.deepEqual(b[0], want[0]);
  } finally {
    await pool.dispose();
  }
});

test('pool: a bad input rejects that run with a ShapeError; the other runs and the pool go on', { skip: !existsSync(small), timeout: 60000 }, async () => {
  const g = graphOf(small);
  const one = new Session(g);
  const n = 128 * 128 * 3;
  const x = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 255);
  const pool = await SessionPool.create(g, { workers: 2 });
  try {
    const runs = await Promise.allSettled([pool.runOne([x]), pool.runOne([new Uint8Array(5)]), pool.runOne([new Float32Array(n)])]);
    assert.equal(runs[0]!.status, 'fulfilled');
    assert.deepEqual((runs[0] as PromiseFulfilledResult<TypedArray[]>).value[0], one.run([x])[0]);
    for (const r of runs.slice(1)) {
      assert.equal(r.status, 'rejected');
      assert.ok((r as PromiseRejectedResult).reason instanceof ShapeError, String((r as PromiseRejectedResult).reason));
    }
    assert.match(String((runs[1] as PromiseRejectedResult).reason), /must have 49152 elements/);
    assert.deepEqual((await pool.run([x]))[0]![0], one.run([x])[0]);
  } finally {
    await pool.dispose();
  }
});

test('pool: a graph that cannot be prepared fails create with the session\'s error class; bad worker counts', { skip: !existsSync(small), timeout: 60000 }, async () => {
  const g = graphOf(small);
  g.tensors[g.outputs[0]!]!.dtype = 'int16';
  assert.throws(() => new Session(g), UnsupportedError);
  await assert.rejects(SessionPool.create(g, { workers: 2 }), (e: unknown) => e instanceof UnsupportedError && /SOFTMAX .*no kernel/.test(String(e)));
  for (const workers of [0, 1.5, 33]) {
    await assert.rejects(SessionPool.create(graphOf(small), { workers }), (e: unknown) => e instanceof UnsupportedError && /workers must be/.test(String(e)));
  }
});

test('pool: a worker that dies rejects the pending runs and every later one (no hang); dispose rejects later runs', { skip: !existsSync(small), timeout: 60000 }, async () => {
  const g = graphOf(small);
  const x = new Uint8Array(128 * 128 * 3).fill(77);
  const pool = await SessionPool.create(g, { workers: 2 });
  const pending = pool.run(Array.from({ length: 40 }, () => x));
  const internals = pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] };
  await internals.slots[1]!.worker.terminate();
  await assert.rejects(pending, (e: unknown) => e instanceof MobilenetError && /session pool worker 1 exited/.test(String(e)));
  await assert.rejects(pool.runOne([x]), /session pool worker 1 exited/);
  await pool.dispose();

  const other = await SessionPool.create(g, { workers: 1 });
  assert.equal((await other.run([x])).length, 1);
  await other.dispose();
  await assert.rejects(other.runOne([x]), /disposed/);
});
