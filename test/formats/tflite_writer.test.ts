import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ModelFormatError } from '../../src/errors.js';
import { FlatBuffer } from '../../src/formats/tflite/flatbuf.js';
import { readTflite, writeTflite } from '../../src/formats/tflite/index.js';
import { F } from '../../src/formats/tflite/schema.js';
import { readZipDirectory } from '../../src/formats/tflite/zip.js';
import type { Graph } from '../../src/graph/graph.js';
import { findFeatureTensor, truncateAt } from '../../src/graph/rewrite.js';
import { numElements, type TypedArray } from '../../src/graph/index.js';
import { Session } from '../../src/runtime/index.js';
import { sharedTflite } from '../helpers/data.js';
import { tfliteOracle } from '../helpers/oracle.js';

/** Deterministic pseudo-random input for a tensor: bytes for quantized inputs, [-1, 1) for float. */
function randomInput(g: Graph, seed: number): TypedArray {
  const t = g.tensors[g.inputs[0]!]!;
  const n = numElements(t.shape);
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  if (t.dtype === 'float32') return Float32Array.from({ length: n }, () => next() * 2 - 1);
  if (t.dtype === 'int8') return Int8Array.from({ length: n }, () => Math.floor(next() * 256) - 128);
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Operator codes and versions, and where each buffer's data starts, read with our own flatbuffer reader. */
function inspect(bytes: Uint8Array): { opcodes: string[]; dataOffsets: number[] } {
  const fb = new FlatBuffer(bytes, 'test');
  const model = fb.root('Model');
  const codes = model.tables(F.Model.operator_codes, 'operator_codes', 'OperatorCode');
  const opcodes: string[] = [];
  for (let k = 0; k < codes.length; k++) {
    const t = codes.at(k);
    const code = Math.max(t.i8(F.OperatorCode.deprecated_builtin_code, 'd'), t.i32(F.OperatorCode.builtin_code, 'b'));
    opcodes.push(`${code} v${t.i32(F.OperatorCode.version, 'version', 1)}`);
  }
  const buffers = model.tables(F.Model.buffers, 'buffers', 'Buffer');
  const dataOffsets: number[] = [];
  for (let k = 0; k < buffers.length; k++) {
    const data = buffers.at(k).bytes(F.Buffer.data, 'data');
    if (data && data.length > 0) dataOffsets.push(data.byteOffset - bytes.byteOffset);
  }
  return { opcodes: opcodes.sort(), dataOffsets };
}

for (const [name, path] of Object.entries(sharedTflite)) {
  describe(`TFLite writer round trip: ${name}`, { skip: !existsSync(path) && 'shared model missing' }, () => {
    const original = new Uint8Array(readFileSync(path));
    const graph = readTflite(original);
    const written = writeTflite(graph);

    test('reading the written file gives the same graph (tensors, quantization, data, nodes, attrs, meta)', () => {
      assert.deepStrictEqual(readTflite(written), graph);
      assert.equal(String.fromCharCode(...written.subarray(4, 8)), 'TFL3');
    });

    test('operator codes and versions are those of the original; constant data is 16-byte aligned', () => {
      const a = inspect(original);
      const b = inspect(written);
      assert.deepStrictEqual(b.opcodes, a.opcodes);
      assert.equal(b.dataOffsets.length, graph.tensors.filter((t) => t.data).length + (graph.meta.labels ? 1 : 0) + (graph.meta.extra?.minRuntimeVersion ? 1 : 0));
      for (const off of b.dataOffsets) assert.equal(off % 16, 0, `buffer data at ${off}`);
    });

    test('the TFLite interpreter gives byte-identical outputs for the original and the written file', () => {
      const a = tfliteOracle(original);
      const b = tfliteOracle(written);
      for (const seed of [1, 2, 3]) {
        const x = randomInput(graph, seed);
        const ya = a.run(x);
        const yb = b.run(x);
        assert.equal(ya.constructor, yb.constructor);
        assert.deepStrictEqual(bytesOf(yb), bytesOf(ya), `seed ${seed}`);
      }
    });
  });
}

describe('TFLite writer: pooled features as the model output', () => {
  for (const name of ['v2_uint8', 'v3_small_uint8', 'v1_025_float', 'v2_ptq_int8'] as const) {
    const path = sharedTflite[name];
    test(`${name}: the interpreter computes the feature tensor our engine computes`, { skip: !existsSync(path) && 'shared model missing' }, () => {
      const graph = readTflite(new Uint8Array(readFileSync(path)));
      const f = findFeatureTensor(graph);
      assert.ok(f !== undefined);
      const cut = truncateAt(graph, f);
      const oracle = tfliteOracle(writeTflite(cut));
      const session = new Session(graph);
      for (const seed of [7, 8]) {
        const x = randomInput(graph, seed);
        const want: TypedArray = session.run([x], [f])[0]!;
        const got = oracle.run(x);
        assert.equal(got.length, numElements(graph.tensors[f]!.shape));
        if (want instanceof Float32Array) {
          for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5, `feature ${i}: ${got[i]} vs ${want[i]}`);
        } else {
          assert.deepStrictEqual(bytesOf(got), bytesOf(want), `seed ${seed}`);
        }
      }
    });
  }
});

describe('TFLite writer: metadata', () => {
  const path = sharedTflite.v1_025_float;
  test('name, description, normalisation and labels are read back; labels travel in an appended ZIP', { skip: !existsSync(path) && 'shared model missing' }, () => {
    const graph = readTflite(new Uint8Array(readFileSync(path)));
    const labels = Array.from({ length: 1001 }, (_, i) => (i === 0 ? 'background' : `class ${i}, with comma`));
    const bytes = writeTflite(graph, {
      description: 'written by a test',
      metadata: { name: 'Test model', description: 'A test', normalization: { mean: [127.5, 120, 110], std: [127.5, 60, 50] }, labels },
    });
    const back = readTflite(bytes);
    assert.equal(back.meta.name, 'Test model');
    assert.equal(back.meta.description, 'A test');
    assert.equal(back.meta.extra?.converter, 'written by a test');
    assert.deepStrictEqual(back.meta.normalization, { mean: [127.5, 120, 110], std: [127.5, 60, 50] });
    assert.deepStrictEqual(back.meta.labels, labels);
    const zip = readZipDirectory(bytes, 'test');
    assert.deepStrictEqual(zip?.map((e) => [e.name, e.method]), [['labels.txt', 0]]);
    // The interpreter ignores what follows the flatbuffer and still runs the model.
    assert.equal(tfliteOracle(bytes).run(randomInput(graph, 5)).length, 1001);
  });

  test('a graph without meta gets no metadata; an invalid graph is refused', () => {
    const graph: Graph = {
      tensors: [
        { name: 'x', dtype: 'float32', shape: [1, 4] },
        { name: 'y', dtype: 'float32', shape: [1, 4] },
      ],
      nodes: [{ op: 'RELU', attrs: {}, inputs: [0], outputs: [1], name: 'y' }],
      inputs: [0],
      outputs: [1],
      meta: { format: 'test' },
    };
    const bytes = writeTflite(graph);
    assert.deepStrictEqual(readTflite(bytes), { ...graph, meta: { format: 'tflite', description: 'mobilenet-ts', extra: { converter: 'mobilenet-ts' } } });
    assert.equal(readZipDirectory(bytes, 'test'), undefined);
    assert.deepStrictEqual(tfliteOracle(bytes).run(Float32Array.of(-1, 2, -3, 4)), Float32Array.of(0, 2, 0, 4));
    const bad = { ...graph, nodes: [{ ...graph.nodes[0]!, inputs: [5] }] } as Graph;
    assert.throws(() => writeTflite(bad), (e: Error) => e instanceof ModelFormatError && /input 0 is tensor 5, out of range/.test(e.message));
  });
});
