/* float32 ADD and MUL of a tensor and a one-element constant (the hard-sigmoid of squeeze-excite blocks: x + 3, x / 6)
 * with the fused clamp, as TFLite's float ADD and MUL compute them. */
#include "common.h"

/** y[i] = clamp(x[i] + p[0], p[1], p[2]) for i < n; p: 3 floats. */
EXPORT void scalar_add_f32_run(uint32_t n, const float *x, const float *p, float *y) {
  const v128_t s = wasm_f32x4_splat(p[0]), lo = wasm_f32x4_splat(p[1]), hi = wasm_f32x4_splat(p[2]);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, fclamp4(wasm_f32x4_add(wasm_v128_load(x + i), s), lo, hi));
  if (i < n) store_floats(y + i, fclamp4(wasm_f32x4_add(wasm_v128_load(x + i), s), lo, hi), n - i);
}

/** y[i] = clamp(x[i] * p[0], p[1], p[2]) for i < n; p: 3 floats. */
EXPORT void scalar_mul_f32_run(uint32_t n, const float *x, const float *p, float *y) {
  const v128_t s = wasm_f32x4_splat(p[0]), lo = wasm_f32x4_splat(p[1]), hi = wasm_f32x4_splat(p[2]);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, fclamp4(wasm_f32x4_mul(wasm_v128_load(x + i), s), lo, hi));
  if (i < n) store_floats(y + i, fclamp4(wasm_f32x4_mul(wasm_v128_load(x + i), s), lo, hi), n - i);
}
