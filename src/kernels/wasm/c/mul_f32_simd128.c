/* float32 MUL with the fused clamp (TFLite's float MUL): b either the same shape as a or one row of c values
 * broadcast over the pixels (the squeeze-excite gate). */
#include "common.h"

/** out[p][i] = clamp(a[p][i] * b[i], range[0], range[1]) for p < pixels, i < c (pixels = 1 and c = n for same
 * shapes); range: 2 floats. */
EXPORT void mul_f32_run(uint32_t pixels, uint32_t c, const float *a, const float *b, const float *range, float *out) {
  const v128_t lo = wasm_f32x4_splat(range[0]), hi = wasm_f32x4_splat(range[1]);
  for (uint32_t p = 0; p < pixels; p++, a += c, out += c) {
    uint32_t i = 0;
    for (; i + 4 <= c; i += 4)
      wasm_v128_store(out + i, fclamp4(wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)), lo, hi));
    if (i < c) store_floats(out + i, fclamp4(wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)), lo, hi), c - i);
  }
}
