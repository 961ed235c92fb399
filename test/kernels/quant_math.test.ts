import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  frexp,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  srdhm,
} from '../../src/kernels/quant_math.js';

/** gemmlowp's SaturatingRoundingDoublingHighMul written with 64-bit integers. */
function srdhmBig(a: number, b: number): number {
  if (a === -2147483648 && b === -2147483648) return 2147483647;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates like C++
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

test('srdhm equals the 64-bit definition on random and edge operands', () => {
  const next = lcg(7);
  const edges = [0, 1, -1, 2147483647, -2147483648, 1 << 30, -(1 << 30), 65535, -65536];
  for (const a of edges) for (const b of edges) assert.equal(srdhm(a, b), srdhmBig(a, b), `${a}·${b}`);
  for (let i = 0; i < 200000; i++) {
    const a = next() | 0;
    const b = i % 3 === 0 ? (next() % 2001) - 1000 : next() | 0;
    assert.equal(srdhm(a, b), srdhmBig(a, b), `${a}·${b}`);
  }
});

test('roundingDivideByPOT rounds halves away from zero', () => {
  assert.equal(roundingDivideByPOT(5, 1), 3);
  assert.equal(roundingDivideByPOT(-5, 1), -3);
  assert.equal(roundingDivideByPOT(6, 2), 2); // 1.5 -> 2
  assert.equal(roundingDivideByPOT(-6, 2), -2);
  assert.equal(roundingDivideByPOT(-7, 2), -2); // -1.75
  assert.equal(roundingDivideByPOT(7, 0), 7);
});

test('frexp and quantizeMultiplier follow the C definitions', () => {
  assert.deepEqual(frexp(1), [0.5, 1]);
  assert.deepEqual(frexp(0.75), [0.75, 0]);
  assert.deepEqual(frexp(-3), [-0.75, 2]);
  assert.deepEqual(quantizeMultiplier(0.5), { multiplier: 2 ** 30, shift: 0 });
  assert.deepEqual(quantizeMultiplier(0), { multiplier: 0, shift: 0 });
  // A significand rounding up to 2^31 is halved and the exponent bumped.
  assert.deepEqual(quantizeMultiplier(1 - 2 ** -40), { multiplier: 2 ** 30, shift: 1 });
  // Real value m·2^(s−31) reproduces the input to 31 bits.
  for (const x of [0.0001234, 0.37, 1.5, 3.99, 1e-9]) {
    const q = quantizeMultiplier(x);
    assert.ok(Math.abs(q.multiplier * 2 ** (q.shift - 31) - x) <= x * 2 ** -30, String(x));
  }
});

test('multiplyByQuantizedMultiplier approximates x·real with TFLite double rounding', () => {
  const q = quantizeMultiplier(0.25);
  assert.equal(multiplyByQuantizedMultiplier(10, q.multiplier, q.shift), 3); // 2.5 -> 3
  assert.equal(multiplyByQuantizedMultiplier(-10, q.multiplier, q.shift), -3);
  const big = quantizeMultiplier(3);
  assert.equal(multiplyByQuantizedMultiplier(100, big.multiplier, big.shift), 300);
  const next = lcg(3);
  for (let i = 0; i < 10000; i++) {
    const real = (next() / 2 ** 32) * 2;
    const x = (next() % 200001) - 100000;
    const m = quantizeMultiplier(real);
    const got = multiplyByQuantizedMultiplier(x, m.multiplier, m.shift);
    assert.ok(Math.abs(got - x * real) <= 1, `${x}·${real} -> ${got}`);
  }
});
