// Sessions on the WASM kernels (default variant) against the real TFLite interpreter: quantized outputs byte-equal
// for 1, 2 and 3 threads, float within tolerance; arena views survive memory growth; options are checked.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { UnsupportedError } from '../../src/errors.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import { numElements } from '../../src/graph/index.js';
import { enableRelaxedSimd, Session } from '../../src/runtime/index.js';
import { loadWasmKernelsSync, relaxedSimdSupported } from '../../src/kernels/wasm/module.js';
import { sharedTflite } from '../helpers/data.js';
import { checkThreadsAgainstInterpreter, pixels } from '../helpers/session_threads.js';

for (const [name, path] of Object.entries(sharedTflite)) {
  describe(`WASM session: ${name}`, { skip: !existsSync(path) && 'shared model missing' }, () => {
    test('threads 1, 2, 3 reproduce the interpreter (plain SIMD128 build)', () => checkThreadsAgainstInterpreter(path, 'simd128'));
  });
}

const small = sharedTflite.v1_025_128_quant;

test('WASM session: binding another fetch set grows memory and earlier views are rebuilt', { skip: !existsSync(small) }, () => {
  const s = new Session(readTflite(new Uint8Array(readFileSync(small))));
  const input = s.graph.tensors[s.graph.inputs[0]!]!;
  const x = pixels(numElements(input.shape), 7);
  const [a] = s.run([x]);
  const mids = s.graph.nodes.slice(0, 6).map((n) => n.outputs[0]!);
  const [b, ...m] = s.run([x], [s.graph.outputs[0]!, ...mids]);
  assert.deepEqual(b, a);
  const [c] = s.run([x]);
  assert.deepEqual(c, a);
  const ref = new Session(s.graph, { variant: 'ref' });
  const [, ...mr] = ref.run([x], [s.graph.outputs[0]!, ...mids]);
  assert.deepEqual(m, mr);
});

test('WASM session: options are checked; ref stays pure; a disposed session refuses to run', { skip: !existsSync(small) }, () => {
  const g = readTflite(new Uint8Array(readFileSync(small)));
  assert.throws(() => new Session(g, { threads: 0 }), (e: unknown) => e instanceof UnsupportedError && /threads/.test(e.message));
  assert.throws(() => new Session(g, { threads: 1.5 }), UnsupportedError);
  assert.throws(() => new Session(g, { variant: 'fast' as 'auto' }), (e: unknown) => e instanceof UnsupportedError && /fast/.test(e.message));
  assert.ok(new Session(g, { variant: 'ref', threads: 2 }).kernelNames.every((k) => k.endsWith('_ref')));
  const w = new Session(g, { variant: 'wasm' });
  assert.ok(w.kernelNames.includes('dwconv3x3_u8_simd128'));
  w.dispose();
  const input = w.graph.tensors[w.graph.inputs[0]!]!;
  assert.throws(() => w.run([new Uint8Array(numElements(input.shape))]), /disposed/);
});

test('WASM session: profile lists every node with its kernel and time', { skip: !existsSync(small) }, () => {
  const s = new Session(readTflite(new Uint8Array(readFileSync(small))));
  const p = s.profile(2);
  assert.equal(p.length, s.graph.nodes.length);
  p.forEach((row, i) => {
    assert.equal(row.kernel, s.kernelNames[i]);
    assert.equal(row.op, s.graph.nodes[i]!.op);
    assert.ok(row.minMs >= 0 && row.medianMs >= row.minMs);
  });
});

test('WASM session: Session.create loads the kernels asynchronously and equals the synchronous form', { skip: !existsSync(small) }, async () => {
  const g = readTflite(new Uint8Array(readFileSync(small)));
  const a = await Session.create(g);
  const b = new Session(g);
  assert.equal(a.wasmUnavailable, undefined);
  assert.deepEqual(a.kernelNames, b.kernelNames);
  const input = a.graph.tensors[a.graph.inputs[0]!]!;
  const x = pixels(numElements(input.shape), 11);
  assert.deepEqual(a.run([x]), b.run([x]));
  const two = await Session.create(g, { threads: 2 });
  assert.deepEqual(two.run([x]), b.run([x]));
  two.dispose();
});

test('enableRelaxedSimd turns relaxed SIMD on (Node 20 has it behind a flag)', () => {
  assert.equal(enableRelaxedSimd(), true);
  assert.equal(relaxedSimdSupported(), true);
  assert.equal(loadWasmKernelsSync({ flavor: 'auto' }).flavor, 'relaxed');
  assert.equal(loadWasmKernelsSync({ flavor: 'auto', shared: true }).flavor, 'relaxed');
});
