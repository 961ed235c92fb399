/* float32 HARD_SWISH as TFLite computes it: x * min(6, max(0, x + 3)) / 6, each step rounded to float32. */
#include "common.h"

INLINE v128_t hardswish4(v128_t x) {
  const v128_t r = wasm_f32x4_min(wasm_f32x4_const_splat(6.0f),
                                  wasm_f32x4_max(wasm_f32x4_const_splat(0.0f), wasm_f32x4_add(x, wasm_f32x4_const_splat(3.0f))));
  return wasm_f32x4_div(wasm_f32x4_mul(x, r), wasm_f32x4_const_splat(6.0f));
}

/** y[i] = hard_swish(x[i]) for i < n. */
EXPORT void hardswish_f32_run(uint32_t n, const float *x, float *y) {
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, hardswish4(wasm_v128_load(x + i)));
  if (i < n) store_floats(y + i, hardswish4(wasm_v128_load(x + i)), n - i);
}
