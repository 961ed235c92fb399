import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ShapeError, UnsupportedError } from '../../src/errors.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import { bytesPerElement, numElements, type Graph } from '../../src/graph/index.js';
import { planArena, Session } from '../../src/runtime/index.js';
import { sharedTflite } from '../helpers/data.js';

const model = sharedTflite.v1_025_128_quant;

test('arena: tensors alive at the same time never overlap', { skip: !existsSync(model) }, () => {
  const g = new Session(readTflite(new Uint8Array(readFileSync(model)))).graph;
  const plan = planArena(g);
  const live = new Map<number, [number, number]>();
  g.nodes.forEach((n, i) => {
    for (const t of [...n.inputs, ...n.outputs]) {
      if (t < 0 || g.tensors[t]!.data) continue;
      const [a, b] = live.get(t) ?? [i, i];
      live.set(t, [Math.min(a, i), Math.max(b, i)]);
    }
  });
  const entries = [...live.entries()];
  let total = 0;
  for (const [t] of entries) total += numElements(g.tensors[t]!.shape) * bytesPerElement(g.tensors[t]!.dtype);
  assert.ok(plan.size < total, `arena ${plan.size} should reuse memory (sum of tensors ${total})`);
  for (const [t, [a0, a1]] of entries) {
    const off = plan.offsets[t]!;
    assert.ok(off >= 0 && off % 16 === 0);
    const end = off + numElements(g.tensors[t]!.shape) * bytesPerElement(g.tensors[t]!.dtype);
    for (const [u, [b0, b1]] of entries) {
      if (u === t || a1 < b0 || b1 < a0) continue;
      const uo = plan.offsets[u]!;
      const ue = uo + numElements(g.tensors[u]!.shape) * bytesPerElement(g.tensors[u]!.dtype);
      assert.ok(end <= uo || ue <= off, `tensors ${t} and ${u} overlap while both alive`);
    }
  }
});

test('session: bad inputs are rejected with ShapeError naming the input; runs are repeatable', { skip: !existsSync(model) }, () => {
  const s = new Session(readTflite(new Uint8Array(readFileSync(model))), { variant: 'ref' });
  const input = s.graph.tensors[s.graph.inputs[0]!]!;
  const n = numElements(input.shape);
  assert.throws(() => s.run([new Float32Array(n)]), (e: unknown) => e instanceof ShapeError && e.message.includes(input.name));
  assert.throws(() => s.run([new Uint8Array(n - 1)]), (e: unknown) => e instanceof ShapeError && /elements/.test(e.message));
  assert.throws(() => s.run([]), ShapeError);
  const x = Uint8Array.from({ length: n }, (_, i) => (i * 31) & 255);
  const [a] = s.run([x]);
  const [b] = s.run([x]);
  assert.deepEqual(a, b);
  // Fetching an intermediate tensor as well keeps it alive and leaves the output unchanged.
  const mid = s.graph.nodes[3]!.outputs[0]!;
  const [c, m] = s.run([x], [s.graph.outputs[0]!, mid]);
  assert.deepEqual(c, a);
  assert.equal(m!.length, numElements(s.graph.tensors[mid]!.shape));
  assert.ok(s.kernelNames.every((k) => k.endsWith('_ref')));
});

test('session: an op without a kernel for its dtypes is an UnsupportedError naming the node', () => {
  const g: Graph = {
    tensors: [
      { name: 'x', dtype: 'int16', shape: [2] },
      { name: 'y', dtype: 'int16', shape: [2] },
    ],
    nodes: [{ op: 'RELU', attrs: {}, inputs: [0], outputs: [1], name: 'relu16' }],
    inputs: [0],
    outputs: [1],
    meta: { format: 'test' },
  };
  assert.throws(() => new Session(g), (e: unknown) => e instanceof UnsupportedError && /relu16/.test(e.message));
});
