/* float32 depthwise convolution (depth multiplier 1, zero padding), KH x KW fixed at compile time, any stride,
 * bias and fused clamp. Included by dwconv{3x3,5x5}_f32_simd128.c with KH, KW, FN(name).
 * Packed layout: fhdr, then per group of 8 channels: bias (8 floats), then KH*KW taps of 8 weights. */
#include "common.h"

#define CG 8
#define TAPS (KH * KW)

/** Bytes of the packed weights of c channels. */
EXPORT uint32_t FN(packed_size)(uint32_t c) { return sizeof(fhdr) + round_up(c, CG) / CG * (TAPS + 1) * CG * 4; }

/** Packs 1HWC weights w[(ky*KW+kx)*c + ch], optional bias and the clamp range. */
EXPORT void FN(pack)(uint32_t c, const float *w, const float *bias, float out_min, float out_max, void *out) {
  fhdr *h = (fhdr *)out;
  h->k = TAPS; h->n = c; h->kp = KH; h->taps = KW; h->out_min = out_min; h->out_max = out_max; h->pad0 = h->pad1 = 0;
  float *p = (float *)((uint8_t *)out + sizeof(fhdr));
  for (uint32_t c0 = 0; c0 < c; c0 += CG) {
    for (uint32_t j = 0; j < CG; j++) *p++ = (c0 + j < c && bias) ? bias[c0 + j] : 0.0f;
    for (uint32_t t = 0; t < TAPS; t++)
      for (uint32_t j = 0; j < CG; j++) *p++ = c0 + j < c ? w[t * c + c0 + j] : 0.0f;
  }
}

/* Sums one group of channels [c0, c0 + 8) over the taps at x[t] + c0 into bias + ..., clamps and stores. */
INLINE void group_out(const float *const *x, uint32_t c0, uint32_t c, const float *g, v128_t vmin, v128_t vmax,
                      float *o) {
  v128_t accl = wasm_v128_load(g), acch = wasm_v128_load(g + 4);
  const float *wp = g + CG;
  if (c - c0 > 4) {
    for (uint32_t t = 0; t < TAPS; t++, wp += CG) {
      accl = fmadd4(wasm_v128_load(x[t] + c0), wasm_v128_load(wp), accl);
      acch = fmadd4(wasm_v128_load(x[t] + c0 + 4), wasm_v128_load(wp + 4), acch);
    }
  } else { /* at most 4 channels left: do not read past 16 bytes */
    for (uint32_t t = 0; t < TAPS; t++, wp += CG) accl = fmadd4(wasm_v128_load(x[t] + c0), wasm_v128_load(wp), accl);
  }
  accl = fclamp4(accl, vmin, vmax);
  acch = fclamp4(acch, vmin, vmax);
  const uint32_t cr = c - c0;
  if (cr >= CG) { wasm_v128_store(o + c0, accl); wasm_v128_store(o + c0 + 4, acch); }
  else if (cr >= 4) { wasm_v128_store(o + c0, accl); store_floats(o + c0 + 4, acch, cr - 4); }
  else store_floats(o + c0, accl, cr);
}

/* Output pixels [ox0, ox1) of row oy, any of whose taps may fall in the padding (read from the zeroed scratch). */
INLINE void pixels_padded(const float *in, uint32_t h, uint32_t w, uint32_t c, uint32_t oy, uint32_t ox0, uint32_t ox1,
                          uint32_t stride, uint32_t pad_top, uint32_t pad_left, const float *groups, v128_t vmin,
                          v128_t vmax, float *out, const float *zeros) {
  const float *ptr[TAPS];
  for (uint32_t ox = ox0; ox < ox1; ox++) {
    for (uint32_t ky = 0; ky < KH; ky++) {
      const int32_t iy = (int32_t)(oy * stride + ky) - (int32_t)pad_top;
      for (uint32_t kx = 0; kx < KW; kx++) {
        const int32_t ix = (int32_t)(ox * stride + kx) - (int32_t)pad_left;
        const int inside = iy >= 0 && iy < (int32_t)h && ix >= 0 && ix < (int32_t)w;
        ptr[ky * KW + kx] = inside ? in + ((uint32_t)iy * w + (uint32_t)ix) * c : zeros;
      }
    }
    const float *g = groups;
    for (uint32_t c0 = 0; c0 < c; c0 += CG, g += (TAPS + 1) * CG) group_out(ptr, c0, c, g, vmin, vmax, out + ox * c);
  }
}

/** Output rows [oy0, oy1) of in[h][w][c] (16 readable bytes past the end) into out[oh][ow][c]; scratch: c + 4
 * floats, zeroed here (per caller). Pixels whose taps are all inside the image are taken one group of channels at a
 * time along the row, so the three input rows of that group stay in the L1 cache. */
EXPORT NOINLINE void FN(run_rows)(const float *in, uint32_t h, uint32_t w, uint32_t oy0, uint32_t oy1, uint32_t ow,
                         uint32_t stride, uint32_t pad_top, uint32_t pad_left, const void *packed, float *out,
                         float *scratch) {
  const fhdr *hd = (const fhdr *)packed;
  const uint32_t c = hd->n;
  const v128_t vmin = wasm_f32x4_splat(hd->out_min), vmax = wasm_f32x4_splat(hd->out_max);
  for (uint32_t i = 0; i < c + 4; i++) scratch[i] = 0.0f;
  const float *groups = (const float *)((const uint8_t *)packed + sizeof(fhdr));
  /* Columns [xl, xr) have every tap inside the image horizontally. */
  const uint32_t xl = (pad_left + stride - 1) / stride < ow ? (pad_left + stride - 1) / stride : ow;
  const uint32_t xr_raw = w + pad_left >= KW ? (w + pad_left - KW) / stride + 1 : 0;
  const uint32_t xr = xr_raw < xl ? xl : xr_raw > ow ? ow : xr_raw;
  for (uint32_t oy = oy0; oy < oy1; oy++) {
    float *orow = out + oy * ow * c;
    const int32_t iy0 = (int32_t)(oy * stride) - (int32_t)pad_top;
    if (iy0 < 0 || iy0 + KH > (int32_t)h || xl >= xr) {
      pixels_padded(in, h, w, c, oy, 0, ow, stride, pad_top, pad_left, groups, vmin, vmax, orow, scratch);
      continue;
    }
    pixels_padded(in, h, w, c, oy, 0, xl, stride, pad_top, pad_left, groups, vmin, vmax, orow, scratch);
    pixels_padded(in, h, w, c, oy, xr, ow, stride, pad_top, pad_left, groups, vmin, vmax, orow, scratch);
    const float *row = in + (uint32_t)iy0 * w * c;
    const float *g = groups;
    for (uint32_t c0 = 0; c0 < c; c0 += CG, g += (TAPS + 1) * CG) {
      for (uint32_t ox = xl; ox < xr; ox++) {
        const float *p = row + (ox * stride - pad_left) * c;
        const float *ptr[TAPS];
        for (uint32_t ky = 0; ky < KH; ky++)
          for (uint32_t kx = 0; kx < KW; kx++) ptr[ky * KW + kx] = p + (ky * w + kx) * c;
        group_out(ptr, c0, c, g, vmin, vmax, orow + ox * c);
      }
    }
  }
}

/** Runs on in[h][w][c] (16 readable bytes past the end) into out[oh][ow][c]; scratch: c + 4 floats, zeroed here. */
EXPORT void FN(run)(const float *in, uint32_t h, uint32_t w, uint32_t oh, uint32_t ow, uint32_t stride,
                    uint32_t pad_top, uint32_t pad_left, const void *packed, float *out, float *scratch) {
  FN(run_rows)(in, h, w, 0, oh, ow, stride, pad_top, pad_left, packed, out, scratch);
}
