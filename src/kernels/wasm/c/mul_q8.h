/* Quantized MUL with TFLite's arithmetic (MulElementwise: (a + off1) * (b + off2) through MultiplyByQuantizedMultiplier,
 * plus the output offset, clamped), b either the same shape as a or one row of c values broadcast over the pixels
 * (the squeeze-excite gate). Included by mul_{u8,i8}_simd128.c with XT, LOAD8, NARROW, VMIN, VMAX, FN(name). */
#include "common.h"

/** Parameters, 8 x i32: in1_offset, in2_offset, out_offset, multiplier, left_shift, right_shift, out_min, out_max. */
typedef struct {
  int32_t in1_offset, in2_offset, out_offset, mult, left, right, out_min, out_max;
} mul_params;

INLINE void mul_impl(uint32_t pixels, uint32_t c, const XT *a, const XT *b, const mul_params *prm, XT *out,
                     const int fused) {
  const v128_t off1 = wasm_i16x8_splat((int16_t)prm->in1_offset), off2 = wasm_i16x8_splat((int16_t)prm->in2_offset);
  const v128_t vm = wasm_i32x4_splat(prm->mult), zp = wasm_i16x8_splat((int16_t)prm->out_offset);
  const v128_t vmin = wasm_i8x16_splat((int8_t)prm->out_min), vmax = wasm_i8x16_splat((int8_t)prm->out_max);
  const int left = prm->left, right = prm->right;
  const v128_t rnd = wasm_i64x2_splat(fused ? ((int64_t)1 << 30) + ((int64_t)1 << (30 + right)) : 0);
  for (uint32_t p = 0; p < pixels; p++, a += c, out += c) {
    for (uint32_t i = 0; i < c; i += 8) {
      const v128_t xa = wasm_i16x8_add(LOAD8(a + i), off1), xb = wasm_i16x8_add(LOAD8(b + i), off2);
      const v128_t pl = wasm_i32x4_extmul_low_i16x8(xa, xb), ph = wasm_i32x4_extmul_high_i16x8(xa, xb);
      const v128_t lo = fused ? requant4_dw_fused(pl, vm, rnd, right - 1) : requant4_dw_uniform(pl, vm, left, right);
      const v128_t hi = fused ? requant4_dw_fused(ph, vm, rnd, right - 1) : requant4_dw_uniform(ph, vm, left, right);
      const v128_t q = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(lo, hi), zp);
      const v128_t r = VMAX(VMIN(NARROW(q, q), vmax), vmin);
      if (c - i >= 8) wasm_v128_store64_lane(out + i, r, 0);
      else store_bytes(out + i, r, c - i);
    }
  }
}

/** out[p][i] = a[p][i] * b[i] for p < pixels, i < c (a, b readable 16 bytes past their ends). */
EXPORT void FN(run)(uint32_t pixels, uint32_t c, const XT *a, const XT *b, const mul_params *prm, XT *out) {
  /* No left shift and a right shift: the double rounding in one 64-bit rounding (requant4_dw_fused). */
  if (prm->left == 0 && prm->right > 0) mul_impl(pixels, c, a, b, prm, out, 1);
  else mul_impl(pixels, c, a, b, prm, out, 0);
}
