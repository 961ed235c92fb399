/* float32 global average pooling with fused clamp: out[c] = clamp(sum_p in[p][c] / pixels). */
#include "common.h"

/** out[c] for c < channels from in[pixels][channels] (16 readable bytes past the end). */
EXPORT void gavgpool_f32_run(uint32_t pixels, uint32_t channels, const float *in, float out_min, float out_max,
                             float *out) {
  const v128_t vmin = wasm_f32x4_splat(out_min), vmax = wasm_f32x4_splat(out_max);
  const v128_t inv = wasm_f32x4_splat((float)pixels);
  for (uint32_t c = 0; c < channels; c += 4) {
    v128_t s = wasm_f32x4_splat(0.0f);
    const float *p = in + c;
    for (uint32_t i = 0; i < pixels; i++, p += channels) s = wasm_f32x4_add(s, wasm_v128_load(p));
    s = fclamp4(wasm_f32x4_div(s, inv), vmin, vmax);
    if (channels - c >= 4) wasm_v128_store(out + c, s);
    else store_floats(out + c, s, channels - c);
  }
}
