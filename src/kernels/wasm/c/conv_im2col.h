/* Full convolution (stem: 3x3 stride 2 on 3 channels) as one im2col row of patches then the GEMM micro-kernel.
 * Included by conv_{u8,i8}_im2col_simd128.c with XT, GEMM_RUN, GEMM_SCRATCH_SIZE, PAD_VALUE(packed), FN(name).
 * Weights are packed by the matching GEMM pack function with k = kh*kw*cin (OHWI flattened). */
#include "common.h"

void GEMM_RUN(uint32_t m, const XT *x, uint32_t x_stride, const void *packed, XT *c, uint32_t c_stride, void *scratch);
uint32_t GEMM_SCRATCH_SIZE(uint32_t m, uint32_t k);

/* Bytes of the row of patches (plus slack for 16-byte copies), 16-byte aligned; the GEMM's scratch follows. */
INLINE uint32_t patch_bytes(uint32_t k, uint32_t ow) { return round_up((ow * k + 16) * (uint32_t)sizeof(XT), 16); }

/** Scratch bytes needed by run: one output row of patches, then the GEMM's scratch (stride unused: the same arguments
 * as the float direct convolution's). */
EXPORT uint32_t FN(scratch_size)(uint32_t kh, uint32_t kw, uint32_t cin, uint32_t ow, uint32_t stride) {
  (void)stride;
  const uint32_t k = kh * kw * cin;
  return patch_bytes(k, ow) + GEMM_SCRATCH_SIZE(ow, k);
}

/** Output rows [oy0, oy1) of in[h][w][cin] into out[oh][ow][n] (n from the packed weights), padding with the input
 * zero point; scratch per caller. */
EXPORT NOINLINE void FN(run_rows)(const XT *in, uint32_t h, uint32_t w, uint32_t cin, uint32_t kh, uint32_t kw, uint32_t oy0,
                         uint32_t oy1, uint32_t ow, uint32_t stride, uint32_t pad_top, uint32_t pad_left,
                         const void *packed, XT *out, XT *scratch) {
  const uint32_t k = kh * kw * cin, n = ((const uint32_t *)packed)[1];
  const XT pad = PAD_VALUE(packed);
  for (uint32_t oy = oy0; oy < oy1; oy++) {
    XT *row = scratch;
    for (uint32_t ox = 0; ox < ow; ox++) {
      const int32_t ix0 = (int32_t)(ox * stride) - (int32_t)pad_left;
      const int cols_inside = ix0 >= 0 && ix0 + (int32_t)kw <= (int32_t)w;
      for (uint32_t ky = 0; ky < kh; ky++) {
        const int32_t iy = (int32_t)(oy * stride + ky) - (int32_t)pad_top;
        if (cols_inside && iy >= 0 && iy < (int32_t)h) {
          /* The kw pixels of this filter row are contiguous: copy them in 16-byte pieces. The last piece may write
           * past them into the next patch (written afterwards) or the scratch slack, and read into the input slack. */
          const uint8_t *src = (const uint8_t *)(in + ((uint32_t)iy * w + (uint32_t)ix0) * cin);
          uint8_t *dst = (uint8_t *)row;
          const uint32_t bytes = kw * cin * (uint32_t)sizeof(XT);
          for (uint32_t b = 0; b < bytes; b += 16) wasm_v128_store(dst + b, wasm_v128_load(src + b));
          row += kw * cin;
          continue;
        }
        for (uint32_t kx = 0; kx < kw; kx++, row += cin) {
          const int32_t ix = (int32_t)(ox * stride + kx) - (int32_t)pad_left;
          if (iy >= 0 && iy < (int32_t)h && ix >= 0 && ix < (int32_t)w) {
            const XT *src = in + ((uint32_t)iy * w + (uint32_t)ix) * cin;
            for (uint32_t i = 0; i < cin; i++) row[i] = src[i];
          } else {
            for (uint32_t i = 0; i < cin; i++) row[i] = pad;
          }
        }
      }
    }
    GEMM_RUN(ow, scratch, k, packed, out + oy * ow * n, n, (uint8_t *)scratch + patch_bytes(k, ow));
  }
}

/** Runs on in[h][w][cin] into out[oh][ow][n] (n from the packed weights), padding with the input zero point. */
EXPORT void FN(run)(const XT *in, uint32_t h, uint32_t w, uint32_t cin, uint32_t kh, uint32_t kw, uint32_t oh,
                    uint32_t ow, uint32_t stride, uint32_t pad_top, uint32_t pad_left, const void *packed, XT *out,
                    XT *scratch) {
  FN(run_rows)(in, h, w, cin, kh, kw, 0, oh, ow, stride, pad_top, pad_left, packed, out, scratch);
}
