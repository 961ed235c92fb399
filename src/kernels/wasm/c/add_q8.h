/* Quantized elementwise ADD with TFLite's arithmetic (left_shift 20, input and output multipliers, shifts <= 0).
 * Included by add_{u8,i8}_simd128.c with XT, LOAD16LO/HI (8 elements -> i16x8), NARROW, VMIN, VMAX, FN(name). */
#include "common.h"

/** Parameters as in TFLite's ArithmeticParams; shifts are TFLite's (<= 0, right shifts). */
typedef struct {
  int32_t in1_offset, in2_offset, left_shift;
  int32_t in1_mult, in1_shift, in2_mult, in2_shift;
  int32_t out_mult, out_shift, out_offset, out_min, out_max;
} add_params;

/** Bytes of add_params (12 x i32), filled by the caller in that order. */
EXPORT uint32_t FN(params_size)(void) { return sizeof(add_params); }

INLINE v128_t add4(v128_t a, v128_t b, const add_params *p, v128_t off1, v128_t off2, v128_t m1, v128_t m2,
                   v128_t mo) {
  a = wasm_i32x4_shl(wasm_i32x4_add(a, off1), p->left_shift);
  b = wasm_i32x4_shl(wasm_i32x4_add(b, off2), p->left_shift);
  v128_t s = wasm_i32x4_add(requant4_uniform(a, m1, -p->in1_shift), requant4_uniform(b, m2, -p->in2_shift));
  return requant4_uniform(s, mo, -p->out_shift);
}

/* srdhm(x, m) for |x| < 2^30: the high words of (2x)*m + 2^31 (floor((x*m + 2^30) / 2^31), as srdhm4). */
INLINE v128_t srdhm4_small(v128_t x, v128_t m) {
  const v128_t half = wasm_i64x2_const(1LL << 31, 1LL << 31);
  const v128_t x2 = wasm_i32x4_add(x, x);
  const v128_t lo = wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x2, m), half);
  const v128_t hi = wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x2, m), half);
  return wasm_i32x4_shuffle(lo, hi, 1, 3, 5, 7);
}

/* One input or output requantization of ADD: right shift e = -shift; e = 0 (the larger input's multiplier 1/2) is
 * srdhm alone; values are below 2^29 in magnitude (8-bit differences shifted left by 20, or sums of two). */
INLINE v128_t add_rq(v128_t x, v128_t m, int shift, const int zero) {
  if (zero) return srdhm4_small(x, m);
  const v128_t r = wasm_i64x2_splat(((int64_t)1 << 30) + ((int64_t)1 << (30 - shift)));
  return requant4_dw_fused(x, m, r, -shift - 1);
}

/* ADD with the input shifts zero or not as given (z1, z2), the output shift negative. */
INLINE v128_t add4_z(v128_t a, v128_t b, const add_params *p, v128_t off1, v128_t off2, v128_t m1, v128_t m2,
                     v128_t mo, const int z1, const int z2) {
  const int ls = p->left_shift;
  a = wasm_i32x4_shl(wasm_i32x4_add(a, off1), ls);
  b = wasm_i32x4_shl(wasm_i32x4_add(b, off2), ls);
  const v128_t s = wasm_i32x4_add(add_rq(a, m1, p->in1_shift, z1), add_rq(b, m2, p->in2_shift, z2));
  return add_rq(s, mo, p->out_shift, 0);
}
#define ADD4_00(a, b, p, o1, o2, m1, m2, mo) add4_z(a, b, p, o1, o2, m1, m2, mo, 0, 0)
#define ADD4_10(a, b, p, o1, o2, m1, m2, mo) add4_z(a, b, p, o1, o2, m1, m2, mo, 1, 0)
#define ADD4_01(a, b, p, o1, o2, m1, m2, mo) add4_z(a, b, p, o1, o2, m1, m2, mo, 0, 1)

#define ADD_LOOP(ADD4)                                                                     \
  for (uint32_t i = 0; i < n; i += 8) {                                                    \
    const v128_t xa = LOAD8(a + i), xb = LOAD8(b + i);                                     \
    const v128_t lo = ADD4(EXT_LO(xa), EXT_LO(xb), p, off1, off2, m1, m2, mo);             \
    const v128_t hi = ADD4(EXT_HI(xa), EXT_HI(xb), p, off1, off2, m1, m2, mo);             \
    const v128_t q = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(lo, hi), zp);              \
    const v128_t r = VMAX(VMIN(NARROW(q, q), vmax), vmin);                                 \
    if (n - i >= 8) wasm_v128_store64_lane(out + i, r, 0);                                 \
    else store_bytes(out + i, r, n - i);                                                   \
  }

/** out[i] = a[i] + b[i] for i < n (inputs readable 16 bytes past n). */
EXPORT void FN(run)(uint32_t n, const XT *a, const XT *b, const add_params *p, XT *out) {
  const v128_t off1 = wasm_i32x4_splat(p->in1_offset), off2 = wasm_i32x4_splat(p->in2_offset);
  const v128_t m1 = wasm_i32x4_splat(p->in1_mult), m2 = wasm_i32x4_splat(p->in2_mult);
  const v128_t mo = wasm_i32x4_splat(p->out_mult), zp = wasm_i16x8_splat((int16_t)p->out_offset);
  const v128_t vmin = wasm_i8x16_splat((int8_t)p->out_min), vmax = wasm_i8x16_splat((int8_t)p->out_max);
  /* The fast forms need left_shift 20 (TFLite's), input shifts <= 0 and one of them below 0 or both, output < 0. */
  const int ok = p->left_shift == 20 && p->in1_shift <= 0 && p->in2_shift <= 0 && p->out_shift < 0;
  if (ok && p->in1_shift < 0 && p->in2_shift < 0) {
    ADD_LOOP(ADD4_00)
  } else if (ok && p->in1_shift == 0 && p->in2_shift < 0) {
    ADD_LOOP(ADD4_10)
  } else if (ok && p->in1_shift < 0 && p->in2_shift == 0) {
    ADD_LOOP(ADD4_01)
  } else {
    ADD_LOOP(add4)
  }
}
