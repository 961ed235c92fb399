import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MobilenetError } from '../../src/errors.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import { sharedTflite } from '../helpers/data.js';
import { fieldPos, rootTable, tableAt, vectorPos } from '../helpers/flatbuffer-locate.js';

const src = readFileSync(sharedTflite.v1_025_128_quant);

/** Positions outside the buffers' data: the flatbuffer tables, the metadata and the appended ZIP. */
function structuralPositions(b: Uint8Array): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const inData = new Uint8Array(b.length);
  const buffers = vectorPos(b, rootTable(b), 4);
  const n = dv.getUint32(buffers, true);
  for (let k = 0; k < n; k++) {
    const t = tableAt(b, buffers, k);
    const p = fieldPos(b, t, 0);
    if (!p) continue;
    const v = p + dv.getUint32(p, true);
    inData.fill(1, v + 4, v + 4 + dv.getUint32(v, true));
  }
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) if (!inData[i]) out.push(i);
  return out;
}

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

test('mutated copies of a model either load or throw a MobilenetError', { timeout: 120_000 }, () => {
  const structural = structuralPositions(src);
  assert.ok(structural.length > 10_000 && structural.length < src.length / 2);
  const rand = rng(20240611);
  let loaded = 0;
  let failed = 0;
  const run = (b: Uint8Array, what: string) => {
    const t0 = performance.now();
    try {
      readTflite(b);
      loaded++;
    } catch (e) {
      if (!(e instanceof MobilenetError)) assert.fail(`${what}: ${(e as Error)?.stack ?? String(e)}`);
      assert.match(e.message, /^tflite: /);
      failed++;
    }
    assert.ok(performance.now() - t0 < 5000, `${what}: took ${performance.now() - t0} ms`);
  };
  // 200 single-byte mutations: half anywhere, half in the structure (the weights are most of the file).
  for (let i = 0; i < 200; i++) {
    const b = Uint8Array.from(src);
    const p = i % 2 ? structural[rand() % structural.length]! : rand() % b.length;
    b[p] = rand() & 0xff;
    run(b, `byte ${p} set to ${b[p]}`);
  }
  // 100 random 32-bit words over offsets, lengths and indices.
  for (let i = 0; i < 100; i++) {
    const b = Uint8Array.from(src);
    const p = structural[rand() % structural.length]! & ~3;
    const v = rand();
    new DataView(b.buffer).setUint32(p, v, true);
    run(b, `word at ${p} set to ${v}`);
  }
  assert.ok(failed >= 30, `mutations caught: ${failed}`);
  assert.ok(loaded >= 30, `harmless mutations loaded: ${loaded}`);
});
