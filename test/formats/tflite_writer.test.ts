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
import { buildMobilenet, parseVariant } from '../../src/models/builders/index.js';
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
          const scale = Math.max(...Array.from(want, Math.abs));
          for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * scale, `feature ${i}: ${got[i]} vs ${want[i]} (max |x| ${scale})`);
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

/** A float graph using every op of the IR, absent biases, constants of every dtype (some unused). */
function everyOpGraph(): Graph {
  let s = 12345;
  const rnd = (n: number, scale = 1) =>
    Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 2 * scale);
  const g: Graph = { tensors: [], nodes: [], inputs: [], outputs: [], meta: { format: 'test' } };
  const t = (name: string, dtype: Graph['tensors'][number]['dtype'], shape: number[], data?: TypedArray, quant?: Graph['tensors'][number]['quant']) => {
    g.tensors.push({ name, dtype, shape, ...(data ? { data } : {}), ...(quant ? { quant } : {}) });
    return g.tensors.length - 1;
  };
  const node = (op: Graph['nodes'][number]['op'], attrs: object, inputs: number[], out: [string, number[]], dtype: 'float32' | 'int8' = 'float32', quant?: Graph['tensors'][number]['quant']) => {
    const o = t(out[0], dtype, out[1], undefined, quant);
    g.nodes.push({ op, attrs, inputs, outputs: [o], name: out[0] } as Graph['nodes'][number]);
    return o;
  };
  const x = t('x', 'float32', [1, 8, 8, 3]);
  g.inputs = [x];
  const padded = node('PAD', {}, [x, t('paddings', 'int32', [4, 2], Int32Array.of(0, 0, 1, 1, 1, 1, 0, 0))], ['pad', [1, 10, 10, 3]]);
  const conv = node('CONV_2D', { strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, padding: 'valid', activation: 'relu6' },
    [padded, t('conv/w', 'float32', [4, 3, 3, 3], rnd(108)), t('conv/b', 'float32', [4], rnd(4))], ['conv', [1, 4, 4, 4]]);
  const dw = node('DEPTHWISE_CONV_2D', { strideH: 1, strideW: 1, dilationH: 2, dilationW: 2, padding: 'same', activation: 'relu', depthMultiplier: 2 },
    [conv, t('dw/w', 'float32', [1, 3, 3, 8], rnd(72)), -1], ['dw', [1, 4, 4, 8]]);
  const maxp = node('MAX_POOL_2D', { filterH: 2, filterW: 2, strideH: 2, strideW: 2, padding: 'valid', activation: 'none' }, [dw], ['maxpool', [1, 2, 2, 8]]);
  const avgp = node('AVERAGE_POOL_2D', { filterH: 2, filterW: 2, strideH: 1, strideW: 1, padding: 'same', activation: 'none' }, [maxp], ['avgpool', [1, 2, 2, 8]]);
  const hs = node('HARD_SWISH', {}, [avgp], ['hswish', [1, 2, 2, 8]]);
  const sig = node('LOGISTIC', {}, [maxp], ['sigmoid', [1, 2, 2, 8]]);
  const mul = node('MUL', { activation: 'none' }, [hs, sig], ['mul', [1, 2, 2, 8]]);
  const sub = node('SUB', { activation: 'none' }, [mul, t('sub/c', 'float32', [8], rnd(8, 0.3))], ['sub', [1, 2, 2, 8]]);
  const add = node('ADD', { activation: 'relu_n1_to_1' }, [sub, avgp], ['add', [1, 2, 2, 8]]);
  const r6 = node('RELU6', {}, [add], ['relu6', [1, 2, 2, 8]]);
  const r = node('RELU', {}, [sub], ['relu', [1, 2, 2, 8]]);
  const cat = node('CONCATENATION', { axis: 3, activation: 'none' }, [r6, r], ['concat', [1, 2, 2, 16]]);
  const mean = node('MEAN', { keepDims: false }, [cat, t('mean/axes', 'int32', [2], Int32Array.of(1, 2))], ['mean', [1, 16]]);
  const fc = node('FULLY_CONNECTED', { activation: 'none', keepNumDims: false }, [mean, t('fc/w', 'float32', [5, 16], rnd(80, 2)), -1], ['fc', [1, 5]]);
  const rs = node('RESHAPE', { newShape: [1, 1, 5] }, [fc, t('reshape/shape', 'int32', [3], Int32Array.of(1, 1, 5))], ['reshape', [1, 1, 5]]);
  const sq = node('SQUEEZE', { axes: [1] }, [rs], ['squeeze', [1, 5]]);
  const sm = node('SOFTMAX', { beta: 0.5 }, [sq], ['softmax', [1, 5]]);
  const q = node('QUANTIZE', {}, [sm], ['quantize', [1, 5]], 'int8', { scale: [1 / 256], zeroPoint: [-128], axis: 0 });
  g.outputs = [node('DEQUANTIZE', {}, [q], ['dequantize', [1, 5]])];
  // Constants of the remaining dtypes and a per-channel quantized one, not used by any node.
  t('i64', 'int64', [3], BigInt64Array.of(-1n, 0n, 1n << 40n));
  t('bool', 'bool', [2], Uint8Array.of(1, 0));
  t('i16', 'int16', [2], Int16Array.of(-300, 300), { scale: [0.5], zeroPoint: [0], axis: 0 });
  t('u8', 'uint8', [2, 3], Uint8Array.of(1, 2, 3, 4, 5, 6), { scale: [Math.fround(0.1)], zeroPoint: [3], axis: 0 });
  t('i8/per-channel', 'int8', [3, 2], Int8Array.of(-1, 1, -2, 2, -3, 3), { scale: [Math.fround(0.1), Math.fround(0.2)], zeroPoint: [0, 0], axis: 1 });
  return g;
}

describe('TFLite writer: every op and dtype', () => {
  const graph = everyOpGraph();
  const bytes = writeTflite(graph);

  test('round trip gives the same graph (an absent conv bias becomes an explicit zero bias)', () => {
    const back = readTflite(bytes);
    const want = structuredClone(graph);
    want.meta = { format: 'tflite', description: 'mobilenet-ts', extra: { converter: 'mobilenet-ts' } };
    want.tensors.push({ name: 'dw/zero_bias', dtype: 'float32', shape: [8], data: new Float32Array(8) });
    const dw = want.nodes.find((n) => n.op === 'DEPTHWISE_CONV_2D')!;
    assert.equal(dw.inputs[2], -1);
    dw.inputs[2] = want.tensors.length - 1;
    assert.deepStrictEqual(back, want);
  });

  test('the interpreter runs it and agrees with our engine on the graph we wrote', () => {
    const oracle = tfliteOracle(bytes);
    const session = new Session(graph);
    for (const seed of [1, 2, 3]) {
      const x = randomInput(graph, seed);
      const want = session.run([x])[0] as Float32Array;
      const got = oracle.run(x) as Float32Array;
      assert.equal(got.length, 5);
      for (let i = 0; i < 5; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-6, `seed ${seed} [${i}]: ${got[i]} vs ${want[i]}`);
      assert.ok(new Set(got).size > 1, 'outputs are not all equal');
    }
  });
});

describe('TFLite writer: quantized convolutions without bias', () => {
  const path = sharedTflite.v1_025_128_quant;
  test('get a zero int32 bias scaled input × filter; the interpreter and our engine agree bit for bit', { skip: !existsSync(path) && 'shared model missing' }, () => {
    const graph = readTflite(new Uint8Array(readFileSync(path)));
    const conv = graph.nodes.find((n) => n.op === 'CONV_2D')!;
    const dw = graph.nodes.find((n) => n.op === 'DEPTHWISE_CONV_2D')!;
    conv.inputs[2] = -1;
    dw.inputs[2] = -1;
    const back = readTflite(writeTflite(graph));
    const bias = back.tensors[back.nodes.find((n) => n.op === 'DEPTHWISE_CONV_2D')!.inputs[2]!]!;
    const x = graph.tensors[dw.inputs[0]!]!.quant!.scale[0]!;
    const w = graph.tensors[dw.inputs[1]!]!.quant!.scale[0]!;
    assert.deepStrictEqual([bias.dtype, bias.shape, bias.quant?.scale, [...(bias.data as Int32Array)].every((v) => v === 0)], ['int32', [8], [Math.fround(x * w)], true]);
    const oracle = tfliteOracle(writeTflite(graph));
    const session = new Session(graph);
    for (const seed of [4, 5]) {
      const input = randomInput(graph, seed);
      assert.deepStrictEqual(bytesOf(oracle.run(input)), bytesOf(session.run([input])[0]!), `seed ${seed}`);
    }
  });
});

describe('TFLite writer: graphs built in code', () => {
  for (const variant of ['v3-small-1.0-96', 'v2-0.35-96-tv']) {
    test(`${variant}: the interpreter runs the written file as our engine runs the graph`, () => {
      const graph = buildMobilenet(parseVariant(variant));
      const oracle = tfliteOracle(writeTflite(graph));
      const x = randomInput(graph, 9);
      const want = new Session(graph).run([x])[0] as Float32Array;
      const got = oracle.run(x) as Float32Array;
      assert.equal(got.length, want.length);
      const scale = Math.max(...want.map(Math.abs));
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * Math.max(1, scale), `[${i}]: ${got[i]} vs ${want[i]}`);
    });
  }
});
