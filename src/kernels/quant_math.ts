/**
 * TFLite's integer requantization arithmetic (gemmlowp fixed point), reproduced exactly.
 * 64-bit products are formed exactly with doubles by splitting one operand into 16-bit halves.
 */

const TWO31 = 2147483648;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** A real multiplier as TFLite stores it: Q0.31 significand and a power-of-two exponent (left shift > 0). */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/** C's frexp: x = m · 2^e with 0.5 ≤ |m| < 1. */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let m = x * Math.pow(2, -e);
  // log2 may be off by one near powers of two.
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e -= 1;
  }
  while (Math.abs(m) >= 1) {
    m /= 2;
    e += 1;
  }
  return [m, e];
}

/** std::round: half away from zero. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** TFLite QuantizeMultiplier (frexp based): the double `m` as a Q0.31 significand and an exponent. */
export function quantizeMultiplier(m: number): QuantizedMultiplier {
  if (m === 0) return { multiplier: 0, shift: 0 };
  const [q, e] = frexp(m);
  let shift = e;
  let qFixed = roundHalfAway(q * TWO31);
  if (qFixed === TWO31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  return { multiplier: qFixed, shift };
}

/** Wraps a number to int32 like C's two's-complement cast. */
export function toInt32(x: number): number {
  return x | 0;
}

/** gemmlowp SaturatingRoundingDoublingHighMul for int32: round((a·b·2) / 2^32), saturating INT_MIN². */
export function srdhm(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a·b = a·bh·2^16 + a·bl with bl in [0, 2^16): both partial products are exact doubles.
  const bl = b & 0xffff;
  const bh = (b - bl) / 65536;
  const p1 = a * bh;
  const p0 = a * bl;
  const nudge = (a >= 0) === (b >= 0) || a === 0 || b === 0 ? 1 << 30 : 1 - (1 << 30);
  // p1·2^16 = q1·2^31 + r1·2^16 with r1 in [0, 2^15).
  const q1 = Math.floor(p1 / 32768);
  const r1 = p1 - q1 * 32768;
  const s = r1 * 65536 + p0 + nudge;
  const qs = Math.floor(s / TWO31);
  const fl = q1 + qs;
  const rem = s - qs * TWO31;
  // C++ integer division truncates toward zero.
  return fl < 0 && rem !== 0 ? fl + 1 : fl;
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite MultiplyByQuantizedMultiplier (double rounding, TFLite 2.9's default). */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(srdhm(Math.imul(x, 1 << left), multiplier), right);
}

/** TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp (shift ≤ 0). */
export function multiplyByQuantizedMultiplierSmallerThanOneExp(
  x: number,
  multiplier: number,
  leftShift: number,
): number {
  return roundingDivideByPOT(srdhm(x, multiplier), -leftShift);
}

// ---- int16 fixed point (gemmlowp), used by hard-swish ----

/** Saturates to int16. */
export function sat16(x: number): number {
  return x < -32768 ? -32768 : x > 32767 ? 32767 : x;
}

/** Wraps to int16 like a C cast. */
export function wrap16(x: number): number {
  return (x << 16) >> 16;
}

/** gemmlowp SaturatingRoundingDoublingHighMul for int16. */
export function srdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  const nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return wrap16(Math.trunc((ab + nudge) / 32768));
}

/** TFLite SaturatingDoublingHighMul for int16 (no rounding). */
export function sdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  return wrap16(Math.trunc((a * b) / 32768));
}

/** gemmlowp ShiftLeft for int16: multiply by 2^offset, saturating. */
export function shiftLeft16(a: number, offset: number): number {
  return sat16(a * 2 ** offset);
}

/** TFLite DownScaleInt32ToInt16Multiplier: Q0.31 → Q0.15, rounding. */
export function downScaleInt32ToInt16Multiplier(m: number): number {
  if (m >= INT32_MAX - 32768) return 32767;
  return (m + 32768) >> 16;
}

/**
 * MultiplyByQuantizedMultiplier as TFLite's x86 build computes it inside its matrix multiplications
 * (ruy's AVX kernels, used for CONV_2D and FULLY_CONNECTED when the CPU has AVX): the same doubling
 * high multiply, but the final right shift rounds halves upward instead of away from zero.
 */
export function multiplyByQuantizedMultiplierGemm(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const h = srdhm(Math.imul(x, 1 << left), multiplier);
  return right > 0 ? (h + (1 << (right - 1))) >> right : h;
}
