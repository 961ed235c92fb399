/* float32 elementwise ADD of same-shape tensors with the fused clamp (TFLite's float ADD). */
#include "common.h"

/** out[i] = clamp(a[i] + b[i], range[0], range[1]) for i < n; range: 2 floats. */
EXPORT void add_f32_run(uint32_t n, const float *a, const float *b, const float *range, float *out) {
  const v128_t lo = wasm_f32x4_splat(range[0]), hi = wasm_f32x4_splat(range[1]);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, fclamp4(wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i)), lo, hi));
  if (i < n) store_floats(out + i, fclamp4(wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i)), lo, hi), n - i);
}
