// Sessions on the WASM kernels (default variant) against the real TFLite interpreter: quantized outputs byte-equal
// for 1, 2 and 3 threads, float within tolerance; arena views survive memory growth; options are checked.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { UnsupportedError } from '../../src/errors.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import { numElements, type TypedArray } from '../../src/graph/index.js';
import { enableRelaxedSimd, Session } from '../../src/runtime/index.js';
import { loadWasmKernelsSync, relaxedSimdSupported } from '../../src/kernels/wasm/module.js';
import { sharedTflite } from '../helpers/data.js';
import { assertMatchesInterpreter } from '../helpers/compare.js';
import { tfliteOracle } from '../helpers/oracle.js';

function pixels(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    // Smooth image-like content with noise, so activations are not all saturated.
    out[i] = (128 + 90 * Math.sin(i / 997 + seed) + (s >>> 27)) & 255;
  }
  return out;
}

for (const [name, path] of Object.entries(sharedTflite)) {
  describe(`WASM session: ${name}`, { skip: !existsSync(path) && 'shared model missing' }, () => {
    test('threads 1, 2, 3 reproduce the interpreter', () => {
      const bytes = new Uint8Array(readFileSync(path));
      const graph = readTflite(bytes);
      const oracle = tfliteOracle(bytes);
      const sessions = [1, 2, 3].map((threads) => new Session(graph, { threads }));
      try {
        const s1 = sessions[0]!;
        assert.ok(s1.kernelNames.some((k) => k.includes('simd128')), `no WASM kernel chosen: ${s1.kernelNames.join(' ')}`);
        assert.deepEqual(sessions.map((s) => s.threads), [1, 2, 3]);
        const input = s1.graph.tensors[s1.graph.inputs[0]!]!;
        const n = numElements(input.shape);
        for (const seed of [1, 2]) {
          const p = pixels(n, seed);
          const x: TypedArray = input.dtype === 'float32' ? Float32Array.from(p, (v) => (v - 127.5) / 127.5) : p;
          const want = oracle.run(x);
          for (const s of sessions) {
            const [got] = s.run([x]);
            assertMatchesInterpreter(got, want, `threads ${s.threads} seed ${seed}`);
          }
        }
      } finally {
        for (const s of sessions) s.dispose();
      }
    });
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
});
