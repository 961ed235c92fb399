/* Shared helpers of the WebAssembly SIMD kernels: exports, TFLite-exact requantization, tail stores.
 * Kernels may read up to XNN_EXTRA_BYTES (16) past the end of an input; they never write past an output. */
#ifndef MOBILENET_WASM_COMMON_H
#define MOBILENET_WASM_COMMON_H

#include <stdint.h>
#include <stddef.h>
#include <wasm_simd128.h>

#define EXPORT __attribute__((visibility("default")))
#define INLINE static inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))

/* Per-channel requantization parameters of 4 lanes, 7 vectors (112 bytes), see requant_params4. */
typedef struct {
  v128_t lmul;  /* 2^left_shift */
  v128_t mult;  /* Q0.31 multiplier (>= 0) */
  v128_t emul;  /* 2^(32-e) as u32 (e = right shift >= 1) */
  v128_t ebias; /* 2^(31-e) */
  v128_t mask;  /* 2^e - 1 */
  v128_t half;  /* mask >> 1 */
  v128_t e0;    /* all ones where e == 0 */
} requant4;

/* Fills the parameters of one lane from TFLite's (multiplier, shift); shift > 0 is a left shift. */
INLINE void requant_set_lane(requant4 *p, int lane, int32_t multiplier, int32_t shift) {
  int32_t left = shift > 0 ? shift : 0;
  int32_t e = shift > 0 ? 0 : -shift;
  int32_t *lm = (int32_t *)&p->lmul, *m = (int32_t *)&p->mult, *em = (int32_t *)&p->emul;
  int32_t *eb = (int32_t *)&p->ebias, *mk = (int32_t *)&p->mask, *h = (int32_t *)&p->half;
  int32_t *z = (int32_t *)&p->e0;
  lm[lane] = (int32_t)((uint32_t)1 << left);
  m[lane] = multiplier;
  em[lane] = e >= 1 ? (int32_t)((uint32_t)1 << (32 - e)) : 0;
  eb[lane] = e >= 1 ? (int32_t)((uint32_t)1 << (31 - e)) : 0;
  mk[lane] = e >= 1 ? (int32_t)(((uint32_t)1 << e) - 1) : 0;
  h[lane] = mk[lane] >> 1;
  z[lane] = e == 0 ? -1 : 0;
}

/* gemmlowp SaturatingRoundingDoublingHighMul for multipliers >= 0: floor((x*m + 2^30) / 2^31), exact in 64 bits. */
INLINE v128_t srdhm4(v128_t x, v128_t m) {
  const v128_t nudge = wasm_i64x2_const(1LL << 30, 1LL << 30);
  v128_t lo = wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, m), nudge);
  v128_t hi = wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, m), nudge);
  lo = wasm_u64x2_shr(lo, 31);
  hi = wasm_u64x2_shr(hi, 31);
  return wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
}

/* gemmlowp RoundingDivideByPOT with one exponent for all lanes. */
INLINE v128_t rdbp4(v128_t x, int e) {
  if (e == 0) return x;
  const v128_t mask = wasm_i32x4_splat((int32_t)((1u << e) - 1));
  v128_t rem = wasm_v128_and(x, mask);
  v128_t thr = wasm_i32x4_sub(wasm_i32x4_shr(mask, 1), wasm_i32x4_shr(x, 31));
  return wasm_i32x4_sub(wasm_i32x4_shr(x, e), wasm_i32x4_gt(rem, thr));
}

/* Per-lane arithmetic shift right by e (e >= 1 lanes): high half of (t + 2^31) * 2^(32-e), minus 2^(31-e). */
INLINE v128_t shr_lanes(v128_t t, const requant4 *p) {
  v128_t tu = wasm_v128_xor(t, wasm_i32x4_const_splat((int32_t)0x80000000));
  v128_t plo = wasm_u64x2_extmul_low_u32x4(tu, p->emul);
  v128_t phi = wasm_u64x2_extmul_high_u32x4(tu, p->emul);
  return wasm_i32x4_sub(wasm_i32x4_shuffle(plo, phi, 1, 3, 5, 7), p->ebias);
}

/* TFLite MultiplyByQuantizedMultiplier (double rounding) with per-lane parameters. */
INLINE v128_t requant4_apply(v128_t x, const requant4 *p) {
  v128_t s = srdhm4(wasm_i32x4_mul(x, p->lmul), p->mult);
  v128_t sh = shr_lanes(s, p);
  v128_t rem = wasm_v128_and(s, p->mask);
  v128_t thr = wasm_i32x4_sub(p->half, wasm_i32x4_shr(s, 31));
  v128_t r = wasm_i32x4_sub(sh, wasm_i32x4_gt(rem, thr));
  return wasm_v128_bitselect(s, r, p->e0);
}

/* MultiplyByQuantizedMultiplier as TFLite's x86 matrix kernels (ruy AVX, CONV_2D / FULLY_CONNECTED) compute it:
 * the same doubling high multiply, then a right shift rounding halves up: (h + 2^(e-1)) >> e, int32 wrapping. */
INLINE v128_t requant4_apply_gemm(v128_t x, const requant4 *p) {
  v128_t s = srdhm4(wasm_i32x4_mul(x, p->lmul), p->mult);
  v128_t t = wasm_i32x4_add(s, wasm_i32x4_add(p->half, wasm_i32x4_const_splat(1)));
  return wasm_v128_bitselect(s, shr_lanes(t, p), p->e0);
}

/* TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp for one (multiplier, shift <= 0) on all lanes. */
INLINE v128_t requant4_uniform(v128_t x, v128_t mult, int e) {
  return rdbp4(srdhm4(x, mult), e);
}

/* Stores the first n (< 16) bytes of v. */
INLINE void store_bytes(void *dst, v128_t v, uint32_t n) {
  uint8_t *d = (uint8_t *)dst;
  if (n & 8) { wasm_v128_store64_lane(d, v, 0); d += 8; v = wasm_i8x16_shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0); }
  if (n & 4) { wasm_v128_store32_lane(d, v, 0); d += 4; v = wasm_i8x16_shuffle(v, v, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0); }
  if (n & 2) { wasm_v128_store16_lane(d, v, 0); d += 2; v = wasm_i8x16_shuffle(v, v, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0); }
  if (n & 1) { wasm_v128_store8_lane(d, v, 0); }
}

/* Packed-weight header shared by the quantized kernels (64 bytes). uniform: one multiplier and shift for all
 * channels (per-tensor), run with a cheaper requantization. */
typedef struct {
  uint32_t k, n, kp, taps;
  int32_t out_zp, out_min, out_max, x_zp;
  uint32_t uniform;
  int32_t left, right, mult;
  int64_t rnd; /* 2^30 + 2^(30+right): both roundings of the GEMM requantization in one 64-bit add */
  int32_t right1, pad; /* right - 1 */
  /* Exact float64 requantization (see requant4_f64), when every accumulator times 2^left is below 2^21: */
  uint32_t f64, pad2;   /* 0: not; 1: per-tensor, the parameters below; 2: per channel, from the packed blocks */
  double fm, fc, fcneg; /* per-tensor parameters, as in f64q8 */
} qhdr;

/* Accumulators (times 2^left) below this magnitude make x * mult (mult < 2^31) exact in a float64 with room for the
 * rounding terms. */
#define F64_EXACT_BOUND (1 << 21)

/* The `dw` argument of the float64 requantization for ADD's input requantizations: the depthwise double rounding
 * with an explicit floor. */
#define DW_FLOOR 2

/* Float64 requantization parameters of 8 channels (see requant4_f64): multiplier 2^left * mult / 2^(31+e), rounding
 * terms for accumulators >= 0 and < 0 (equal but for the depthwise double rounding with e >= 1). */
typedef struct {
  double m[8], c[8], cneg[8];
} f64q8;

/* Sets channel j from TFLite's (multiplier, shift > 0 left / <= 0 right): dw = 1 the reference double rounding of
 * DEPTHWISE_CONV_2D, 0 the ruy rounding of CONV_2D / FULLY_CONNECTED, DW_FLOOR the double rounding taken with an
 * explicit floor (ADD, whose sums are not bounded like the convolutions'). Returns 2^left (the accumulator's scale),
 * or infinity for a right shift past 20, where the rounding term 2^(30+e) would widen the sum beyond 53 bits. */
INLINE double f64q_set(f64q8 *p, uint32_t j, int32_t mult, int32_t shift, const int dw) {
  const int left = shift > 0 ? shift : 0, e = shift > 0 ? 0 : -shift;
  const double s = 1.0 / (double)((uint64_t)1 << (31 + e));
  const double lm = (double)((uint64_t)1 << left);
  const double c = (1073741824.0 + (e >= 1 ? (double)((uint64_t)1 << (30 + e)) : 0.0)) * s;
  p->m[j] = (double)mult * lm * s;
  /* floor(x * m + c) as x * m + c - 1/2 + 2^-(32+e) rounded to nearest, never a tie (x * m + c is a multiple of
   * 2^-(31+e)) and exact while |x| * 2^left < 2^21 (below 2^53 units of 2^-(32+e)), but for DW_FLOOR. */
  const double cn = dw && e >= 1 ? c - 2147483648.0 * s : c, r = dw == DW_FLOOR ? 0.0 : 0.5 * s - 0.5;
  p->c[j] = c + r;
  p->cneg[j] = cn + r;
  return e > 20 ? __builtin_inf() : lm;
}

/* Chooses the float64 requantization when `bound` (the largest accumulator times 2^left that the weights, bias and
 * input range allow) is below F64_EXACT_BOUND: per tensor (parameters of (mult, shift) in the header), else per
 * channel (parameters in the packed blocks). */
INLINE void qhdr_set_f64(qhdr *h, double bound, int32_t mult, int32_t shift, const int dw) {
  f64q8 first;
  f64q_set(&first, 0, mult, shift, dw);
  h->f64 = bound < (double)F64_EXACT_BOUND ? (h->uniform ? 1 : 2) : 0;
  h->pad2 = 0;
  h->fm = first.m[0];
  h->fc = first.c[0];
  h->fcneg = first.cneg[0];
}

/* Finishes lane j of a packed block of 8 channels, channel ch (live: a real channel, else padding): its bias' =
 * bias - x_zp * sum(w - w_zp) and both requantizations' parameters. Returns the largest accumulator magnitude times
 * 2^left the channel allows (abs_sum: sum |w - w_zp|; inputs up to xmax in magnitude), for qhdr_set_f64. */
INLINE double pack_channel(int32_t *bias_out, requant4 *rq, f64q8 *fq, uint32_t j, const int live, uint32_t ch,
                           const int32_t *bias, int32_t x_zp, int32_t sum, double abs_sum, double xmax,
                           const int32_t *mult, const int32_t *shift, const int dw) {
  const int32_t m = live ? mult[ch] : 0, sh = live ? shift[ch] : 0;
  bias_out[j] = live ? (bias ? bias[ch] : 0) - x_zp * sum : 0;
  requant_set_lane(&rq[j / 4], j % 4, m, sh);
  const double acc_max = (bias_out[j] < 0 ? -(double)bias_out[j] : (double)bias_out[j]) + abs_sum * xmax;
  return acc_max * f64q_set(fq, j, m, sh, dw);
}

/* Records in the header whether all n (multiplier, shift) pairs are equal. */
INLINE void qhdr_set_uniform(qhdr *h, const int32_t *mult, const int32_t *shift, uint32_t n) {
  uint32_t u = 1;
  for (uint32_t i = 1; i < n; i++) u &= mult[i] == mult[0] && shift[i] == shift[0];
  h->uniform = u;
  h->left = shift[0] > 0 ? shift[0] : 0;
  h->right = shift[0] > 0 ? 0 : -shift[0];
  h->mult = mult[0];
  h->rnd = h->right > 0 ? ((int64_t)1 << 30) + ((int64_t)1 << (30 + h->right)) : 0;
  h->right1 = h->right > 0 ? h->right - 1 : 0;
  h->pad = 0;
}

/* requant4_apply_gemm with one multiplier and a right shift e >= 1 for all lanes: (srdhm(x, m) + 2^(e-1)) >> e equals
 * floor((x*m + 2^30 + 2^(30+e)) / 2^(31+e)), i.e. the high words of the 64-bit sums shifted right by e - 1.
 * (The int32 sum srdhm + 2^(e-1) would wrap only for |x*m| near 2^62, beyond any convolution accumulator.) */
INLINE v128_t requant4_gemm_fused(v128_t x, v128_t mult, v128_t rnd, int right1) {
  v128_t lo = wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, mult), rnd);
  v128_t hi = wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, mult), rnd);
  return wasm_i32x4_shr(wasm_i32x4_shuffle(lo, hi, 1, 3, 5, 7), right1);
}

/* requant4_apply_gemm with one multiplier and shift for all lanes. */
INLINE v128_t requant4_gemm_uniform(v128_t x, v128_t mult, int left, int right) {
  v128_t s = srdhm4(wasm_i32x4_shl(x, left), mult);
  if (right == 0) return s;
  return wasm_i32x4_shr(wasm_i32x4_add(s, wasm_i32x4_splat(1 << (right - 1))), right);
}

/* requant4_apply with one multiplier and shift for all lanes. */
INLINE v128_t requant4_dw_uniform(v128_t x, v128_t mult, int left, int right) {
  return rdbp4(srdhm4(wasm_i32x4_shl(x, left), mult), right);
}

/* Packed-weight header of the float kernels (32 bytes). */
typedef struct {
  uint32_t k, n, kp, taps;
  float out_min, out_max;
  uint32_t pad0, pad1;
} fhdr;

/* a * b + c: fused (relaxed SIMD, FMA where the CPU has it) in the relaxed build, mul then add otherwise. */
#ifdef __wasm_relaxed_simd__
typedef float f32x4_t __attribute__((vector_size(16)));
INLINE v128_t fmadd4(v128_t a, v128_t b, v128_t c) {
  return (v128_t)__builtin_wasm_relaxed_madd_f32x4((f32x4_t)a, (f32x4_t)b, (f32x4_t)c);
}
#else
INLINE v128_t fmadd4(v128_t a, v128_t b, v128_t c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
#endif

/* requant4_apply (double rounding: srdhm, then rounding half away from zero) with one multiplier, no left shift and
 * a right shift e >= 1 for all lanes, in one 64-bit rounding: floor((x*m + 2^30 + 2^(30+e) - [x<0]*2^31) / 2^(31+e)).
 * (For e >= 1, [x<0] may stand for [srdhm(x, m) < 0]: where they differ the quotient is 0 either way.) The 2^31 is
 * taken off the high words: one less where the low word is below 2^31. rnd as in qhdr. */
INLINE v128_t requant4_dw_fused(v128_t x, v128_t mult, v128_t rnd, int right1) {
  const v128_t lo = wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, mult), rnd);
  const v128_t hi = wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, mult), rnd);
  const v128_t hw = wasm_i32x4_shuffle(lo, hi, 1, 3, 5, 7), lw = wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
  const v128_t borrow = wasm_v128_and(wasm_i32x4_shr(x, 31), wasm_i32x4_gt(lw, wasm_i32x4_const_splat(-1)));
  return wasm_i32x4_shr(wasm_i32x4_add(hw, borrow), right1);
}

/* TFLite's requantizations (requant4_apply_gemm for dw = 0, requant4_apply for dw = 1 or DW_FLOOR) computed in
 * float64: floor(x * m + c), c = cneg for x < 0 (but for DW_FLOOR as x * m + c rounded to nearest, c as f64q_set
 * sets it), per lane pair
 * (m01, c01 for lanes 0-1; m23, c23 for 2-3; see f64q_set).
 * With |x| * 2^left < 2^21 every step is exact (x * mult < 2^52; the sum is a multiple of 2^-(31+e) below 2^53 of
 * them), so the result is the same integer; it is read from the low mantissa word after adding 2^52 + 2^51. Fewer
 * shuffles than the 64-bit integer products, which V8 builds from unpacks. */
INLINE v128_t f64_floor2(v128_t xd, v128_t m, v128_t c, v128_t cneg, const int dw) {
  const v128_t t = wasm_f64x2_mul(xd, m);
  v128_t r = wasm_f64x2_add(t, dw ? wasm_v128_bitselect(cneg, c, wasm_f64x2_lt(t, wasm_f64x2_const_splat(0.0))) : c);
  if (dw == DW_FLOOR) r = wasm_f64x2_floor(r); /* else rounded to nearest by the next add (see f64q_set) */
  return wasm_f64x2_add(r, wasm_f64x2_const_splat(6755399441055744.0));
}

INLINE v128_t requant4_f64(v128_t x, v128_t m01, v128_t m23, v128_t c01, v128_t c23, v128_t n01, v128_t n23,
                           const int dw) {
  const v128_t lo = f64_floor2(wasm_f64x2_convert_low_i32x4(x), m01, c01, n01, dw);
  const v128_t hi = f64_floor2(wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3)), m23, c23, n23, dw);
  return wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
}

/* requant4_f64 with one set of parameters for all lanes. */
INLINE v128_t requant4_f64_uniform(v128_t x, v128_t m, v128_t c, v128_t cneg, const int dw) {
  return requant4_f64(x, m, m, c, c, cneg, cneg, dw);
}

/* requant4_f64 with the parameters of lanes [4 * half, 4 * half + 4) of p. */
INLINE v128_t requant4_f64_lanes(v128_t x, const f64q8 *p, uint32_t half, const int dw) {
  const uint32_t o = 4 * half;
  return requant4_f64(x, wasm_v128_load(p->m + o), wasm_v128_load(p->m + o + 2), wasm_v128_load(p->c + o),
                      wasm_v128_load(p->c + o + 2), wasm_v128_load(p->cneg + o), wasm_v128_load(p->cneg + o + 2), dw);
}

/* Requantizes the 8 sums of one row of a block (lanes 0-3 in *lo, 4-7 in *hi) in the kernel's mode: 4 and 3 float64
 * per channel and per tensor, 2 per tensor fused, 1 per tensor, 0 per channel (rq: the block's two requant4, then its
 * f64q8). dw: DEPTHWISE_CONV_2D's double rounding, else the GEMM's (CONV_2D, FULLY_CONNECTED). */
INLINE void requant8(v128_t *lo, v128_t *hi, const requant4 *rq, const qhdr *h, v128_t vm, const int mode,
                     const int dw) {
  if (mode == 4) {
    const f64q8 *fq = (const f64q8 *)(rq + 2);
    *lo = requant4_f64_lanes(*lo, fq, 0, dw);
    *hi = requant4_f64_lanes(*hi, fq, 1, dw);
  } else if (mode == 3) {
    const v128_t fm = wasm_v128_load64_splat(&h->fm), fc = wasm_v128_load64_splat(&h->fc);
    const v128_t fcneg = wasm_v128_load64_splat(&h->fcneg);
    *lo = requant4_f64_uniform(*lo, fm, fc, fcneg, dw);
    *hi = requant4_f64_uniform(*hi, fm, fc, fcneg, dw);
  } else if (mode == 2) {
    const v128_t rnd = wasm_v128_load64_splat(&h->rnd);
    *lo = dw ? requant4_dw_fused(*lo, vm, rnd, h->right1) : requant4_gemm_fused(*lo, vm, rnd, h->right1);
    *hi = dw ? requant4_dw_fused(*hi, vm, rnd, h->right1) : requant4_gemm_fused(*hi, vm, rnd, h->right1);
  } else if (mode == 1) {
    *lo = dw ? requant4_dw_uniform(*lo, vm, h->left, h->right) : requant4_gemm_uniform(*lo, vm, h->left, h->right);
    *hi = dw ? requant4_dw_uniform(*hi, vm, h->left, h->right) : requant4_gemm_uniform(*hi, vm, h->left, h->right);
  } else {
    *lo = dw ? requant4_apply(*lo, rq) : requant4_apply_gemm(*lo, rq);
    *hi = dw ? requant4_apply(*hi, rq + 1) : requant4_apply_gemm(*hi, rq + 1);
  }
}

/* The requantization mode of a packed quantized layer (see requant8): 4 and 3 float64 per channel and per tensor
 * (accumulators small enough for it to be exact), 2 a per-tensor multiplier < 1 (no left shift, a right shift) with
 * the fused rounding, 1 per tensor, 0 per channel. */
INLINE int requant_mode(const qhdr *h) {
  if (h->f64) return h->f64 == 2 ? 4 : 3;
  if (h->uniform && h->left == 0 && h->right > 0) return 2;
  return h->uniform ? 1 : 0;
}

/* Runs CALL(mode) with the layer's requantization mode as a compile-time constant (one specialised copy each; make
 * each copy its own function, DEFINE_PER_MODE, so that the engine compiles only the modes a model uses). */
#define WITH_REQUANT_MODE(h, CALL)                                                                                  \
  switch (requant_mode(h)) {                                                                                         \
    case 4: CALL(4); break;                                                                                          \
    case 3: CALL(3); break;                                                                                          \
    case 2: CALL(2); break;                                                                                          \
    case 1: CALL(1); break;                                                                                          \
    default: CALL(0);                                                                                                \
  }

/* Defines DEF(mode) for every requantization mode (one NOINLINE function each, see WITH_REQUANT_MODE). */
#define DEFINE_PER_MODE(DEF) DEF(4) DEF(3) DEF(2) DEF(1) DEF(0)

/* Stores the 4x4 transpose of the 32-bit lanes of r0..r3 as four vectors at p: vector i = (r0[i], r1[i], r2[i], r3[i]). */
INLINE void store_transposed4x4(void *p, v128_t r0, v128_t r1, v128_t r2, v128_t r3) {
  const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
  const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  v128_t *q = (v128_t *)p;
  wasm_v128_store(q, wasm_i64x2_shuffle(t0, t1, 0, 2));
  wasm_v128_store(q + 1, wasm_i64x2_shuffle(t0, t1, 1, 3));
  wasm_v128_store(q + 2, wasm_i64x2_shuffle(t2, t3, 0, 2));
  wasm_v128_store(q + 3, wasm_i64x2_shuffle(t2, t3, 1, 3));
}

/* Clamps to [lo, hi] (relu: [0, inf], relu6: [0, 6]). */
INLINE v128_t fclamp4(v128_t x, v128_t lo, v128_t hi) { return wasm_f32x4_pmin(wasm_f32x4_pmax(x, lo), hi); }

/* Stores the first n (< 4) floats of v. */
INLINE void store_floats(float *d, v128_t v, uint32_t n) {
  if (n & 2) { wasm_v128_store64_lane(d, v, 0); d += 2; v = wasm_i32x4_shuffle(v, v, 2, 3, 0, 0); }
  if (n & 1) wasm_v128_store32_lane(d, v, 0);
}

/* Clamps one row of 8 float channels (lo: 0-3, hi: 4-7) and stores its first nr (1..8). */
INLINE void store_floats8(float *c, v128_t lo, v128_t hi, v128_t vmin, v128_t vmax, uint32_t nr) {
  lo = fclamp4(lo, vmin, vmax);
  hi = fclamp4(hi, vmin, vmax);
  if (nr == 8) { wasm_v128_store(c, lo); wasm_v128_store(c + 4, hi); return; }
  if (nr >= 4) { wasm_v128_store(c, lo); store_floats(c + 4, hi, nr - 4); }
  else store_floats(c, lo, nr);
}

INLINE uint32_t round_up(uint32_t x, uint32_t m) { return (x + m - 1) / m * m; }

/* GEMM rows are taken in chunks whose inputs and outputs stay in the L2 cache while every block of output channels
 * passes over them: outputs are then written once per chunk, not once per channel block. */
#define CHUNK_X_BYTES (96u * 1024u)
#define CHUNK_C_BYTES (64u * 1024u)

/* Rows per chunk (a multiple of 4) for m rows of x_row and c_row bytes, in chunks of near equal size. */
INLINE uint32_t chunk_rows(uint32_t m, uint32_t x_row, uint32_t c_row) {
  const uint64_t a = ((uint64_t)m * x_row + CHUNK_X_BYTES - 1) / CHUNK_X_BYTES;
  const uint64_t b = ((uint64_t)m * c_row + CHUNK_C_BYTES - 1) / CHUNK_C_BYTES;
  const uint32_t chunks = (uint32_t)(a > b ? (a > 1 ? a : 1) : (b > 1 ? b : 1));
  return round_up((m + chunks - 1) / chunks, 4);
}

/* The most rows chunk_rows gives for at most m rows of x_row bytes. */
INLINE uint32_t chunk_rows_max(uint32_t m, uint32_t x_row) {
  const uint32_t cap = round_up((CHUNK_X_BYTES + x_row - 1) / x_row, 4), all = round_up(m, 4);
  return cap < all ? cap : all;
}

#endif
