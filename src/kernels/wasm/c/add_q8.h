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

/* The output requantization of ADD: right shift e = -shift >= 1; sums below 2^30 in magnitude. */
INLINE v128_t add_rq(v128_t x, v128_t m, int shift) {
  const v128_t r = wasm_i64x2_splat(((int64_t)1 << 30) + ((int64_t)1 << (30 - shift)));
  return requant4_dw_fused(x, m, r, -shift - 1);
}

/* Float64 parameters of the two input requantizations (see requant4_f64), the left shift by 20 folded in. */
typedef struct {
  v128_t m1, c1, n1, m2, c2, n2;
} add_f64;

INLINE void add_f64_set(add_f64 *f, const add_params *p) {
  f64q8 q;
  f64q_set(&q, 0, p->in1_mult, p->in1_shift, DW_FLOOR);
  f64q_set(&q, 1, p->in2_mult, p->in2_shift, DW_FLOOR);
  const double ls = (double)(1 << 20);
  f->m1 = wasm_f64x2_splat(q.m[0] * ls); f->c1 = wasm_f64x2_splat(q.c[0]); f->n1 = wasm_f64x2_splat(q.cneg[0]);
  f->m2 = wasm_f64x2_splat(q.m[1] * ls); f->c2 = wasm_f64x2_splat(q.c[1]); f->n2 = wasm_f64x2_splat(q.cneg[1]);
}

/* ADD with TFLite's left shift of 20, input shifts <= 0 and an output shift < 0; the input requantizations in
 * float64, exact: (a + offset) * mult < 2^41, the shift by 20 and the division by 2^(31+e) scale by powers of two,
 * and the sum with the rounding terms is a multiple of 2^20 units below 2^61, 41 significant bits. */
INLINE v128_t add4_f64(v128_t a, v128_t b, const add_params *p, v128_t off1, v128_t off2, const add_f64 *f,
                       v128_t mo) {
  a = wasm_i32x4_add(a, off1);
  b = wasm_i32x4_add(b, off2);
  const v128_t s = wasm_i32x4_add(requant4_f64_uniform(a, f->m1, f->c1, f->n1, DW_FLOOR),
                                  requant4_f64_uniform(b, f->m2, f->c2, f->n2, DW_FLOOR));
  return add_rq(s, mo, p->out_shift);
}
#define ADD4_F64(a, b, p, o1, o2, m1, m2, mo) add4_f64(a, b, p, o1, o2, &fa, mo)

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
  /* The fast form needs left_shift 20 (TFLite's), input shifts <= 0 and an output shift < 0. */
  if (p->left_shift == 20 && p->in1_shift <= 0 && p->in2_shift <= 0 && p->out_shift < 0) {
    add_f64 fa;
    add_f64_set(&fa, p);
    ADD_LOOP(ADD4_F64)
  } else {
    ADD_LOOP(add4)
  }
}
