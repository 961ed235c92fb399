/* float32 full convolution (the stem) straight from the input rows, tile 4 output pixels x 8 channels, fused clamp.
 * The k of a pixel is kh segments of kw*cin contiguous input floats, so no im2col copy is made: the 4 pixels of a tile
 * are stride*cin floats apart. A tile that touches the zero padding (or is short) reads a zero-padded copy of its
 * inputs instead. Weights are packed by gemm_f32_4x8_pack with k = kh*kw*cin (OHWI flattened). */
#include "common.h"

#define MR 4
#define NR 8

/* Pixels of input one tile reads across: MR outputs stride apart plus the filter's width. */
INLINE uint32_t span_px(uint32_t kw, uint32_t stride) { return (MR - 1) * stride + kw; }

/** Scratch bytes of run / run_rows: one tile's zero-padded inputs (ow unused: the same arguments as im2col's). */
EXPORT uint32_t conv_f32_direct_scratch_size(uint32_t kh, uint32_t kw, uint32_t cin, uint32_t ow, uint32_t stride) {
  (void)ow;
  return kh * span_px(kw, stride) * cin * 4;
}

/* A 4x8 tile: pixel r's segment ky starts at a + ky*row + r*px floats; weights of the block at blk. */
INLINE void tile(const float *a, uint32_t row, uint32_t px, uint32_t kh, uint32_t kwc, const float *blk, v128_t vmin,
                 v128_t vmax, float *c, uint32_t c_stride, uint32_t mr, uint32_t nr) {
  v128_t acc0l = wasm_v128_load(blk), acc0h = wasm_v128_load(blk + 4);
  v128_t acc1l = acc0l, acc1h = acc0h, acc2l = acc0l, acc2h = acc0h, acc3l = acc0l, acc3h = acc0h;
  const float *w = blk + NR;
  for (uint32_t ky = 0; ky < kh; ky++) {
    for (const float *r = a + ky * row, *end = r + kwc; r != end; r++, w += NR) {
      __asm__("" : "+r"(r), "+r"(w)); /* constant pixel offsets stay load offsets */
      const v128_t wl = wasm_v128_load(w), wh = wasm_v128_load(w + 4);
      v128_t b = wasm_v128_load32_splat(r);
      acc0l = fmadd4(b, wl, acc0l); acc0h = fmadd4(b, wh, acc0h);
      b = wasm_v128_load32_splat(r + px);
      acc1l = fmadd4(b, wl, acc1l); acc1h = fmadd4(b, wh, acc1h);
      b = wasm_v128_load32_splat(r + 2 * px);
      acc2l = fmadd4(b, wl, acc2l); acc2h = fmadd4(b, wh, acc2h);
      b = wasm_v128_load32_splat(r + 3 * px);
      acc3l = fmadd4(b, wl, acc3l); acc3h = fmadd4(b, wh, acc3h);
    }
  }
  store_floats8(c, acc0l, acc0h, vmin, vmax, nr);
  if (mr > 1) store_floats8(c + c_stride, acc1l, acc1h, vmin, vmax, nr);
  if (mr > 2) store_floats8(c + 2 * c_stride, acc2l, acc2h, vmin, vmax, nr);
  if (mr > 3) store_floats8(c + 3 * c_stride, acc3l, acc3h, vmin, vmax, nr);
}

/* Copies the inputs of the tile at input (iy0, ix0) (kh rows of span pixels) into p, zeros outside the image. */
static void pad_tile(const float *in, uint32_t h, uint32_t w, uint32_t cin, uint32_t kh, uint32_t span, int32_t iy0,
                     int32_t ix0, float *p) {
  for (uint32_t ky = 0; ky < kh; ky++) {
    const int32_t iy = iy0 + (int32_t)ky;
    for (uint32_t j = 0; j < span; j++, p += cin) {
      const int32_t ix = ix0 + (int32_t)j;
      if (iy >= 0 && iy < (int32_t)h && ix >= 0 && ix < (int32_t)w) {
        const float *src = in + ((uint32_t)iy * w + (uint32_t)ix) * cin;
        for (uint32_t i = 0; i < cin; i++) p[i] = src[i];
      } else {
        for (uint32_t i = 0; i < cin; i++) p[i] = 0.0f;
      }
    }
  }
}

/* Output rows [oy0, oy1); px (= stride*cin), kwc (= kw*cin) and kh constant when inlined with constants. */
INLINE void conv_rows(const float *in, uint32_t h, uint32_t w, uint32_t cin, uint32_t kh, uint32_t kw, uint32_t oy0,
                      uint32_t oy1, uint32_t ow, uint32_t stride, uint32_t pad_top, uint32_t pad_left,
                      const void *packed, float *out, float *scratch, uint32_t px, uint32_t kwc) {
  const fhdr *hd = (const fhdr *)packed;
  const uint32_t n = hd->n, k = hd->k, span = span_px(kw, stride);
  const v128_t vmin = wasm_f32x4_splat(hd->out_min), vmax = wasm_f32x4_splat(hd->out_max);
  const float *blocks = (const float *)((const uint8_t *)packed + sizeof(fhdr));
  for (uint32_t oy = oy0; oy < oy1; oy++) {
    const int32_t iy0 = (int32_t)(oy * stride) - (int32_t)pad_top;
    const int rows_inside = iy0 >= 0 && iy0 + (int32_t)kh <= (int32_t)h;
    for (uint32_t ox0 = 0; ox0 < ow; ox0 += MR) {
      const uint32_t mr = ow - ox0 < MR ? ow - ox0 : MR;
      const int32_t ix0 = (int32_t)(ox0 * stride) - (int32_t)pad_left;
      const float *a;
      uint32_t row;
      if (rows_inside && mr == MR && ix0 >= 0 && ix0 + (int32_t)span <= (int32_t)w) {
        a = in + ((uint32_t)iy0 * w + (uint32_t)ix0) * cin;
        row = w * cin;
      } else {
        pad_tile(in, h, w, cin, kh, span, iy0, ix0, scratch);
        a = scratch;
        row = span * cin;
      }
      float *c = out + (oy * ow + ox0) * n;
      const float *blk = blocks;
      for (uint32_t n0 = 0; n0 < n; n0 += NR, blk += (k + 1) * NR) {
        tile(a, row, px, kh, kwc, blk, vmin, vmax, c + n0, n, mr, n - n0 < NR ? n - n0 : NR);
      }
    }
  }
}

/* The MobileNet stem: 3x3, stride 2, 3 channels. */
static NOINLINE void rows_stem(const float *in, uint32_t h, uint32_t w, uint32_t oy0, uint32_t oy1, uint32_t ow,
                               uint32_t pad_top, uint32_t pad_left, const void *packed, float *out, float *scratch) {
  conv_rows(in, h, w, 3, 3, 3, oy0, oy1, ow, 2, pad_top, pad_left, packed, out, scratch, 6, 9);
}

static NOINLINE void rows_any(const float *in, uint32_t h, uint32_t w, uint32_t cin, uint32_t kh, uint32_t kw,
                              uint32_t oy0, uint32_t oy1, uint32_t ow, uint32_t stride, uint32_t pad_top,
                              uint32_t pad_left, const void *packed, float *out, float *scratch) {
  conv_rows(in, h, w, cin, kh, kw, oy0, oy1, ow, stride, pad_top, pad_left, packed, out, scratch, stride * cin, kw * cin);
}

/** Output rows [oy0, oy1) of in[h][w][cin] into out[oh][ow][n] (n from the packed weights), zero padding; scratch of
 * scratch_size per caller. */
EXPORT NOINLINE void conv_f32_direct_run_rows(const float *in, uint32_t h, uint32_t w, uint32_t cin, uint32_t kh,
                                              uint32_t kw, uint32_t oy0, uint32_t oy1, uint32_t ow, uint32_t stride,
                                              uint32_t pad_top, uint32_t pad_left, const void *packed, float *out,
                                              float *scratch) {
  if (cin == 3 && kh == 3 && kw == 3 && stride == 2)
    rows_stem(in, h, w, oy0, oy1, ow, pad_top, pad_left, packed, out, scratch);
  else
    rows_any(in, h, w, cin, kh, kw, oy0, oy1, ow, stride, pad_top, pad_left, packed, out, scratch);
}

/** Runs on in[h][w][cin] into out[oh][ow][n] (n from the packed weights), zero padding. */
EXPORT void conv_f32_direct_run(const float *in, uint32_t h, uint32_t w, uint32_t cin, uint32_t kh, uint32_t kw,
                                uint32_t oh, uint32_t ow, uint32_t stride, uint32_t pad_top, uint32_t pad_left,
                                const void *packed, float *out, float *scratch) {
  conv_f32_direct_run_rows(in, h, w, cin, kh, kw, 0, oh, ow, stride, pad_top, pad_left, packed, out, scratch);
}
