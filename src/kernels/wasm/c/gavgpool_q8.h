/* Quantized global average pooling (TFLite AVERAGE_POOL_2D over the whole image, same input and output
 * quantization): out[c] = clamp(round_half_away(sum / count)) with C integer division as TFLite does.
 * Included by gavgpool_{u8,i8}_simd128.c with XT, LOAD8, FN(name). */
#include "common.h"

/** acc[c] = sum of in[p][c] over p < pixels, for c < channels (acc: channels + 8 int32). */
EXPORT void FN(sums)(uint32_t pixels, uint32_t channels, const XT *in, int32_t *acc) {
  for (uint32_t c = 0; c < channels; c += 8) {
    v128_t lo = wasm_i32x4_splat(0), hi = lo;
    const XT *p = in + c;
    for (uint32_t i = 0; i < pixels; i++, p += channels) {
      const v128_t x = LOAD8(p);
      lo = wasm_i32x4_add(lo, wasm_i32x4_extend_low_i16x8(x));
      hi = wasm_i32x4_add(hi, wasm_i32x4_extend_high_i16x8(x));
    }
    wasm_v128_store(acc + c, lo);
    wasm_v128_store(acc + c + 4, hi);
  }
}

/** out[c] for c < channels from in[pixels][channels]; acc: channels + 8 int32 scratch. */
EXPORT void FN(run)(uint32_t pixels, uint32_t channels, const XT *in, int32_t out_min, int32_t out_max,
                    XT *out, int32_t *acc) {
  FN(sums)(pixels, channels, in, acc);
  const int32_t count = (int32_t)pixels;
  for (uint32_t c = 0; c < channels; c++) {
    const int32_t s = acc[c];
    int32_t v = s > 0 ? (s + count / 2) / count : (s - count / 2) / count;
    v = v < out_min ? out_min : v > out_max ? out_max : v;
    out[c] = (XT)v;
  }
}
