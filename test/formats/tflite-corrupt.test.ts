import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { MobilenetError, ModelFormatError, UnsupportedError } from '../../src/errors.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import { sharedTflite } from '../helpers/data.js';
import { randomBytes } from '../helpers/random.js';
import { fieldPos, locate, MODEL, OPERATOR, patchOpcode, putU32, rootTable, subTable, SUBGRAPH, TENSOR, tableAt, vectorPos, vtableEntry } from '../helpers/flatbuffer-locate.js';

const small = readFileSync(sharedTflite.v1_025_128_quant);
const toco = readFileSync(sharedTflite.v2_uint8);

/** Asserts that reading fails with a ModelFormatError whose message matches `pattern`. */
function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => readTflite(bytes),
    (e: unknown) => {
      assert.ok(e instanceof ModelFormatError, `expected ModelFormatError, got ${String(e)}`);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('readTflite rejects corrupt files with ModelFormatError', () => {
  test('empty file, 10 random bytes, wrong identifier', () => {
    rejects(new Uint8Array(0), /tflite: file is 0 bytes, too short/);
    rejects(randomBytes(10, 1), /file identifier is .*expected "TFL3"/);
    const wrong = Uint8Array.from(small);
    wrong.set([0x54, 0x46, 0x4c, 0x32], 4);
    rejects(wrong, /file identifier is "TFL2", expected "TFL3"/);
  });

  test('random 100 KB, with and without the TFL3 identifier', () => {
    rejects(randomBytes(100_000, 2), /not a TFLite model/);
    for (let seed = 3; seed < 23; seed++) {
      const b = randomBytes(100_000, seed);
      b.set([0x54, 0x46, 0x4c, 0x33], 4);
      rejects(b, /^tflite: /);
    }
  });

  test('truncated copies of a real model', () => {
    for (const n of [4, 8, 16, 100, 1000, 4096, small.length >> 1, small.length - 1000, small.length - 1]) {
      rejects(small.subarray(0, n), /^tflite: /);
    }
    for (const n of [16, 1000, toco.length >> 1]) rejects(toco.subarray(0, n), /^tflite: /);
    // Cutting the last byte leaves the flatbuffer whole but breaks the appended ZIP the metadata points to.
    rejects(small.subarray(0, small.length - 1), /labels file 'imagenet_labels.txt'.*no appended ZIP/);
  });

  test('offsets and vector lengths overwritten with huge values', () => {
    for (const b0 of [small, toco]) {
      const at = locate(b0);

      let b = Uint8Array.from(b0);
      putU32(b, 0, 0xfffffff0);
      rejects(b, /offset 0x\w+ out of range reading Model/);

      b = Uint8Array.from(b0);
      putU32(b, fieldPos(b, at.model, MODEL.subgraphs), 0x7ffffff0);
      rejects(b, /out of range reading Model\.subgraphs/);

      b = Uint8Array.from(b0);
      putU32(b, at.tensors, 0x10000000);
      rejects(b, /SubGraph\.tensors: vector of 268435456 elements .* runs past the end of the file/);

      b = Uint8Array.from(b0);
      putU32(b, vectorPos(b, at.model, MODEL.buffers), 0xffffffff);
      rejects(b, /Model\.buffers: vector of 4294967295 elements/);

      b = Uint8Array.from(b0);
      const op0 = tableAt(b, at.operators, 0);
      putU32(b, vectorPos(b, op0, OPERATOR.inputs), 0x40000000);
      rejects(b, /operator 0: Operator\.inputs: vector of 1073741824 elements/);

      b = Uint8Array.from(b0);
      putU32(b, vectorPos(b, op0, OPERATOR.inputs) + 8, 5000);
      rejects(b, /operator 0: input 1 is tensor 5000, out of range \(tensors: \d+\)/);

      // The first operator whose opcode_index is stored (0, the default, may be left out).
      b = Uint8Array.from(b0);
      let k = 0;
      while (!fieldPos(b, tableAt(b, at.operators, k), OPERATOR.opcode_index)) k++;
      putU32(b, fieldPos(b, tableAt(b, at.operators, k), OPERATOR.opcode_index), 77);
      rejects(b, new RegExp(`operator ${k}: opcode_index 77 out of range \\(operator_codes: \\d+\\)`));

      // A vtable entry that points outside its table.
      b = Uint8Array.from(b0);
      new DataView(b.buffer).setUint16(vtableEntry(b, op0, OPERATOR.inputs), 0xfff0, true);
      rejects(b, /Operator\.inputs: field offset 65520 lies outside its table/);

      b = Uint8Array.from(b0);
      putU32(b, fieldPos(b, at.model, MODEL.version), 2);
      rejects(b, /schema version 2, expected 3/);
    }
  });

  test('a tensor buffer index out of range names the tensor', () => {
    const b = Uint8Array.from(small);
    const at = locate(b);
    const nBuffers = new DataView(b.buffer).getUint32(vectorPos(b, at.model, MODEL.buffers), true);
    // The first tensor with an explicit buffer field.
    let k = 0;
    while (!fieldPos(b, tableAt(b, at.tensors, k), TENSOR.buffer)) k++;
    const name = readTflite(small).tensors[k]!.name;
    putU32(b, fieldPos(b, tableAt(b, at.tensors, k), TENSOR.buffer), 999999);
    const esc = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    rejects(b, new RegExp(`tensor ${k} '${esc}': buffer index 999999 out of range \\(buffers: ${nBuffers}\\)`));
  });

  test('corrupt TFLite metadata and appended ZIP', () => {
    let b = Uint8Array.from(small);
    const id = Buffer.from(b).indexOf('M001');
    assert.ok(id > 0);
    b[id + 3] = 0x58;
    rejects(b, /TFLITE_METADATA: buffer has file identifier "M00X", expected "M001"/);

    // Flip one byte of the stored labels file: the CRC no longer matches.
    b = Uint8Array.from(small);
    const labels = Buffer.from(b).lastIndexOf('background');
    b[labels] = 0x42;
    rejects(b, /appended ZIP entry 'imagenet_labels.txt': CRC-32/);
  });
});

describe('readTflite rejects unsupported operators with UnsupportedError', () => {
  test('AVERAGE_POOL_2D patched to SPLIT', () => {
    for (const src of [small, toco]) {
      const { bytes, operator } = patchOpcode(src, 1, 49);
      const out = readTflite(src).nodes[operator]!.name!;
      assert.throws(
        () => readTflite(bytes),
        (e: unknown) => {
          assert.ok(e instanceof UnsupportedError, String(e));
          assert.ok(
            e.message.includes(`unsupported TFLite operator SPLIT (code 49) at operator ${operator} ('${out}'); supported: ADD,`),
            e.message,
          );
          return true;
        },
      );
    }
  });

  test('a tensor of an unsupported type is named', () => {
    const b = Uint8Array.from(small);
    const at = locate(b);
    // Tensor 0's type field (uint8 in this model, so it is stored) patched to STRING.
    const typePos = fieldPos(b, tableAt(b, at.tensors, 0), 1);
    assert.ok(typePos);
    b[typePos] = 5;
    const name = readTflite(small).tensors[0]!.name;
    assert.throws(
      () => readTflite(b),
      (e: unknown) => e instanceof UnsupportedError && e.message.includes(`tensor 0 '${name}': tensor type STRING is not supported`),
    );
    b[typePos] = 99;
    rejects(b, /tensor 0 .*: unknown tensor type 99/);
  });

  test('an operator patched to CUSTOM is named as a custom operator', () => {
    const { bytes } = patchOpcode(small, 25, 32);
    assert.throws(() => readTflite(bytes), (e: unknown) => e instanceof UnsupportedError && /custom operator/.test(e.message));
  });

  test('every error is a MobilenetError', () => {
    assert.ok(new UnsupportedError('x') instanceof MobilenetError);
    assert.ok(new ModelFormatError('x') instanceof MobilenetError);
  });
});
