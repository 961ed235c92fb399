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

/** out[i] = a[i] + b[i] for i < n (inputs readable 16 bytes past n). */
EXPORT void FN(run)(uint32_t n, const XT *a, const XT *b, const add_params *p, XT *out) {
  const v128_t off1 = wasm_i32x4_splat(p->in1_offset), off2 = wasm_i32x4_splat(p->in2_offset);
  const v128_t m1 = wasm_i32x4_splat(p->in1_mult), m2 = wasm_i32x4_splat(p->in2_mult);
  const v128_t mo = wasm_i32x4_splat(p->out_mult), zp = wasm_i16x8_splat((int16_t)p->out_offset);
  const v128_t vmin = wasm_i8x16_splat((int8_t)p->out_min), vmax = wasm_i8x16_splat((int8_t)p->out_max);
  for (uint32_t i = 0; i < n; i += 8) {
    const v128_t xa = LOAD8(a + i), xb = LOAD8(b + i);
    const v128_t lo = add4(EXT_LO(xa), EXT_LO(xb), p, off1, off2, m1, m2, mo);
    const v128_t hi = add4(EXT_HI(xa), EXT_HI(xb), p, off1, off2, m1, m2, mo);
    const v128_t q = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(lo, hi), zp);
    const v128_t r = VMAX(VMIN(NARROW(q, q), vmax), vmin);
    if (n - i >= 8) wasm_v128_store64_lane(out + i, r, 0);
    else store_bytes(out + i, r, n - i);
  }
}
