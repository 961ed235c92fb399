/* float32 depthwise convolution (depth multiplier 1, zero padding), KH x KW fixed at compile time, any stride,
 * bias and fused clamp. Included by dwconv{3x3,5x5}_f32_simd128.c with KH, KW, FN(name).
 * Packed layout: fhdr, then per group of 4 channels: bias (4 floats), then KH*KW taps of 4 weights. */
#include "common.h"

#define CG 4
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

INLINE void store_out(float *o, v128_t v, v128_t vmin, v128_t vmax, uint32_t nl) {
  v = fclamp4(v, vmin, vmax);
  if (nl == CG) wasm_v128_store(o, v);
  else store_floats(o, v, nl);
}

/* The row walk of one group of channels: output ox takes input columns S*ox + r - pad_left, r < KW; acc[m]
 * accumulates output ox + m. Each input column is loaded once and added to every output that takes it. */
#define NACC(S) ((KW + (S) - 1) / (S))

/* Adds column x (KH vectors) at window offset r of output ox to acc[m] (outputs ox + m). */
INLINE void feed(v128_t *acc, const v128_t *wt, const v128_t *x, int r, const int S) {
  for (int m = 0; m * S <= r; m++)
    if (r - S * m < KW)
      for (int ky = 0; ky < KH; ky++) acc[m] = fmadd4(x[ky], wt[ky * KW + r - S * m], acc[m]);
}

/* Loads input column ix (or zeros outside [0, w)) and feeds it at offset r. */
INLINE void feed_checked(v128_t *acc, const v128_t *wt, const float *const *rp, const uint32_t *st, int32_t ix,
                         uint32_t w, int r, const int S) {
  if (ix < 0 || ix >= (int32_t)w) return;
  v128_t x[KH];
  for (int ky = 0; ky < KH; ky++) x[ky] = wasm_v128_load(rp[ky] + (uint32_t)ix * st[ky]);
  feed(acc, wt, x, r, S);
}

/* Stores acc[0] (output ox) and moves the window on by one output. */
INLINE void shift_out(v128_t *acc, v128_t bias, float *o, v128_t vmin, v128_t vmax, uint32_t nl, const int S) {
  store_out(o, acc[0], vmin, vmax, nl);
  for (int m = 0; m + 1 < NACC(S); m++) acc[m] = acc[m + 1];
  acc[NACC(S) - 1] = bias;
}

/* Outputs [0, ow) of one row for channels [c0, c0 + nl): rp[ky] the input row ky at channel c0, st[ky] its column
 * step (0 for a row in the padding, which is the zeroed scratch); g the packed group; o the output at (row, 0, c0).
 * Outputs [xa, xb) take only columns inside the image. */
INLINE void row_group(const float *const *rp, const uint32_t *st, uint32_t w, uint32_t ow, uint32_t xa, uint32_t xb,
                      int32_t pad_left, const float *g, v128_t vmin, v128_t vmax, float *o, uint32_t c, uint32_t nl,
                      const int S, const int uniform) {
#define STEP(ky) (uniform ? c : st[ky])
  v128_t wt[TAPS], acc[NACC(S)];
  const v128_t bias = wasm_v128_load(g);
  for (int t = 0; t < TAPS; t++) wt[t] = wasm_v128_load(g + CG * (t + 1));
  for (int m = 0; m < NACC(S); m++) acc[m] = bias;
  for (int r = 0; r < KW - S; r++) feed_checked(acc, wt, rp, st, r - pad_left, w, r, S);
  uint32_t ox = 0;
  for (; ox < xa; ox++, o += c) {
    for (int i = 0; i < S; i++) feed_checked(acc, wt, rp, st, (int32_t)(S * ox) + KW - S + i - pad_left, w, KW - S + i, S);
    shift_out(acc, bias, o, vmin, vmax, nl, S);
  }
  if (xa < xb) {
    const float *q[KH];
    for (int ky = 0; ky < KH; ky++) q[ky] = rp[ky] + (S * xa + KW - S - pad_left) * STEP(ky);
    for (; ox < xb; ox++, o += c) {
      for (int i = 0; i < S; i++) {
        v128_t x[KH];
        for (int ky = 0; ky < KH; ky++) x[ky] = wasm_v128_load(q[ky] + i * STEP(ky));
        feed(acc, wt, x, KW - S + i, S);
      }
      for (int ky = 0; ky < KH; ky++) q[ky] += S * STEP(ky);
      shift_out(acc, bias, o, vmin, vmax, nl, S);
    }
  }
  for (; ox < ow; ox++, o += c) {
    for (int i = 0; i < S; i++) feed_checked(acc, wt, rp, st, (int32_t)(S * ox) + KW - S + i - pad_left, w, KW - S + i, S);
    shift_out(acc, bias, o, vmin, vmax, nl, S);
  }
}

/* Any other stride: one output at a time. */
INLINE void row_group_any(const float *const *rp, const uint32_t *st, uint32_t w, uint32_t ow, uint32_t stride,
                          int32_t pad_left, const float *g, v128_t vmin, v128_t vmax, float *o, uint32_t c,
                          uint32_t nl) {
  for (uint32_t ox = 0; ox < ow; ox++, o += c) {
    v128_t acc = wasm_v128_load(g);
    for (int kx = 0; kx < KW; kx++) {
      const int32_t ix = (int32_t)(ox * stride) + kx - pad_left;
      if (ix < 0 || ix >= (int32_t)w) continue;
      for (int ky = 0; ky < KH; ky++)
        acc = fmadd4(wasm_v128_load(rp[ky] + (uint32_t)ix * st[ky]), wasm_v128_load(g + CG * (ky * KW + kx + 1)), acc);
    }
    store_out(o, acc, vmin, vmax, nl);
  }
}

/** Output rows [oy0, oy1) of in[h][w][c] (16 readable bytes past the end) into out[oh][ow][c]; scratch: c + 4
 * floats, zeroed here (per caller). Each row is walked one group of 4 channels at a time. */
EXPORT NOINLINE void FN(run_rows)(const float *in, uint32_t h, uint32_t w, uint32_t oy0, uint32_t oy1, uint32_t ow,
                         uint32_t stride, uint32_t pad_top, uint32_t pad_left, const void *packed, float *out,
                         float *scratch) {
  const fhdr *hd = (const fhdr *)packed;
  const uint32_t c = hd->n;
  const v128_t vmin = wasm_f32x4_splat(hd->out_min), vmax = wasm_f32x4_splat(hd->out_max);
  for (uint32_t i = 0; i < c + 4; i++) scratch[i] = 0.0f;
  const float *groups = (const float *)((const uint8_t *)packed + sizeof(fhdr));
  /* Outputs [xa, xb) take only columns inside the image (the fast walk needs its first column, S*xa+KW-S, inside). */
  const uint32_t s = stride, xb_raw = w + pad_left >= KW ? (w + pad_left - KW) / s + 1 : 0;
  const int32_t lead = (int32_t)pad_left - (KW - (int32_t)s);
  const uint32_t xa = lead > 0 ? ((uint32_t)lead + s - 1) / s : 0;
  const uint32_t xb = xb_raw > ow ? ow : xb_raw < xa ? xa : xb_raw;
  for (uint32_t oy = oy0; oy < oy1; oy++) {
    const float *rp[KH];
    uint32_t st[KH];
    for (uint32_t ky = 0; ky < KH; ky++) {
      const int32_t iy = (int32_t)(oy * s + ky) - (int32_t)pad_top;
      const int inside = iy >= 0 && iy < (int32_t)h;
      rp[ky] = inside ? in + (uint32_t)iy * w * c : scratch;
      st[ky] = inside ? c : 0;
    }
    const float *g = groups;
    for (uint32_t c0 = 0; c0 < c; c0 += CG, g += (TAPS + 1) * CG) {
      const float *r[KH];
      for (int ky = 0; ky < KH; ky++) r[ky] = rp[ky] + c0;
      float *o = out + oy * ow * c + c0;
      const uint32_t nl = c - c0 < CG ? c - c0 : CG;
      const int fast = nl == CG && st[0] && st[KH - 1];
      if (s == 1 && fast) row_group(r, st, w, ow, xa, xb, pad_left, g, vmin, vmax, o, c, CG, 1, 1);
      else if (s == 1) row_group(r, st, w, ow, xa, xb, pad_left, g, vmin, vmax, o, c, nl, 1, 0);
      else if (s == 2 && fast) row_group(r, st, w, ow, xa, xb, pad_left, g, vmin, vmax, o, c, CG, 2, 1);
      else if (s == 2) row_group(r, st, w, ow, xa, xb, pad_left, g, vmin, vmax, o, c, nl, 2, 0);
      else row_group_any(r, st, w, ow, s, pad_left, g, vmin, vmax, o, c, nl);
    }
  }
}

/** Runs on in[h][w][c] (16 readable bytes past the end) into out[oh][ow][c]; scratch: c + 4 floats, zeroed here. */
EXPORT void FN(run)(const float *in, uint32_t h, uint32_t w, uint32_t oh, uint32_t ow, uint32_t stride,
                    uint32_t pad_top, uint32_t pad_left, const void *packed, float *out, float *scratch) {
  FN(run_rows)(in, h, w, 0, oh, ow, stride, pad_top, pad_left, packed, out, scratch);
}
