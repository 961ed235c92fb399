/* Quantized depthwise convolution (depth multiplier 1, SAME/VALID padding with the input zero point as pad
 * value), KH x KW fixed at compile time, any stride. Included by dwconv{3x3,5x5}_{u8,i8}_simd128.c with KH, KW, XT,
 * EXTEND8, NARROW, VMIN, VMAX, FN(name) as in gemm_q8_4x8.h.
 *
 * Packed layout: qhdr (k = taps, n = C), then per group of 8 channels: bias' (8 x i32), ceil(taps/2) pairs of
 * two vectors ([w(c,t), w(c,t+1)] x 4 channels as i16, channels 0-3 then 4-7), then 2 x requant4 and the float64
 * parameters (f64q8). */
#include "common.h"

#define CG 8
#define TAPS (KH * KW)
#define PAIRS ((TAPS + 1) / 2)

INLINE uint32_t group_bytes(uint32_t taps) { return 32 + (taps + 1) / 2 * 32 + 2 * sizeof(requant4) + sizeof(f64q8); }

/** Bytes of the packed weights of a KH x KW depthwise layer of c channels. */
EXPORT uint32_t FN(packed_size)(uint32_t c) {
  return sizeof(qhdr) + round_up(c, CG) / CG * group_bytes(TAPS);
}

/** Packs 1HWC weights w[(ky*kw+kx)*c + ch], optional bias, per-channel multiplier/shift arrays of length c. */
EXPORT void FN(pack)(uint32_t c, const XT *w, const int32_t *bias, int32_t x_zp,
                     int32_t w_zp, const int32_t *mult, const int32_t *shift, int32_t out_zp, int32_t out_min,
                     int32_t out_max, void *out) {
  const uint32_t taps = TAPS, pairs = PAIRS;
  qhdr *h = (qhdr *)out;
  h->k = taps; h->n = c; h->kp = KH; h->taps = KW;
  h->out_zp = out_zp; h->out_min = out_min; h->out_max = out_max; h->x_zp = x_zp;
  qhdr_set_uniform(h, mult, shift, c);
  uint8_t *g = (uint8_t *)out + sizeof(qhdr);
  const double xmax = (XT)-1 > 0 ? 255.0 : 128.0;
  double bound = 0;
  for (uint32_t c0 = 0; c0 < c; c0 += CG, g += group_bytes(taps)) {
    int32_t *b = (int32_t *)g;
    int16_t *wp = (int16_t *)(g + 32);
    requant4 *rq = (requant4 *)(g + 32 + pairs * 32);
    f64q8 *fq = (f64q8 *)(rq + 2);
    for (uint32_t j = 0; j < CG; j++) {
      const uint32_t ch = c0 + j;
      int32_t sum = 0;
      double abs_sum = 0;
      for (uint32_t t = 0; t < 2 * pairs; t++) {
        int32_t v = (ch < c && t < taps) ? (int32_t)w[t * c + ch] - w_zp : 0;
        sum += v;
        abs_sum += v < 0 ? -v : v;
        wp[(t / 2) * 16 + (j / 4) * 8 + (j % 4) * 2 + (t % 2)] = (int16_t)v;
      }
      const double acc = pack_channel(b, rq, fq, j, ch < c, ch, bias, x_zp, sum, abs_sum, xmax, mult, shift, 1);
      if (acc > bound) bound = acc;
    }
  }
  qhdr_set_f64(h, bound, mult[0], shift[0], 1);
}

/* Requantizes one group's sums (parameters after the weights at wp) and stores 8 (or c - c0) outputs at o + c0. */
INLINE void group_store(v128_t accl, v128_t acch, const uint8_t *wp, const qhdr *hd, v128_t vm, v128_t zp,
                        v128_t vmin, v128_t vmax, XT *o, uint32_t c0, uint32_t c, const int uniform) {
  requant8(&accl, &acch, (const requant4 *)wp, hd, vm, uniform, 1);
  v128_t q = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(accl, acch), zp);
  v128_t r = VMAX(VMIN(NARROW(q, q), vmax), vmin);
  if (c - c0 >= CG) wasm_v128_store64_lane(o + c0, r, 0);
  else store_bytes(o + c0, r, c - c0);
}

/* group_store for two neighbouring pixels (outputs at o and o + c): one narrowing and clamp for both. */
INLINE void group_store2(v128_t al, v128_t ah, v128_t bl, v128_t bh, const uint8_t *wp, const qhdr *hd, v128_t vm,
                         v128_t zp, v128_t vmin, v128_t vmax, XT *o, uint32_t c0, uint32_t c, const int uniform) {
  requant8(&al, &ah, (const requant4 *)wp, hd, vm, uniform, 1);
  requant8(&bl, &bh, (const requant4 *)wp, hd, vm, uniform, 1);
  const v128_t qa = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(al, ah), zp);
  const v128_t qb = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(bl, bh), zp);
  const v128_t r = VMAX(VMIN(NARROW(qa, qb), vmax), vmin);
  if (c - c0 >= CG) {
    wasm_v128_store64_lane(o + c0, r, 0);
    wasm_v128_store64_lane(o + c + c0, r, 1);
  } else {
    store_bytes(o + c0, r, c - c0);
    store_bytes(o + c + c0, wasm_i64x2_shuffle(r, r, 1, 1), c - c0);
  }
}

/* The taps of output pixel (ox, oy): input pixels, or the zero-point scratch where they fall in the padding. */
INLINE void tap_pointers(const XT **ptr, const XT *in, uint32_t h, uint32_t w, uint32_t c, uint32_t oy, uint32_t ox,
                         uint32_t stride, uint32_t pad_top, uint32_t pad_left, const XT *pad) {
  const int32_t iy0 = (int32_t)(oy * stride) - (int32_t)pad_top, ix0 = (int32_t)(ox * stride) - (int32_t)pad_left;
  if (iy0 >= 0 && iy0 + KH <= (int32_t)h && ix0 >= 0 && ix0 + KW <= (int32_t)w) { /* every tap inside */
    const XT *p = in + ((uint32_t)iy0 * w + (uint32_t)ix0) * c;
    for (uint32_t ky = 0; ky < KH; ky++, p += w * c)
      for (uint32_t kx = 0; kx < KW; kx++) ptr[ky * KW + kx] = p + kx * c;
    ptr[TAPS] = pad;
    return;
  }
  for (uint32_t ky = 0; ky < KH; ky++) {
    const int32_t iy = (int32_t)(oy * stride + ky) - (int32_t)pad_top;
    for (uint32_t kx = 0; kx < KW; kx++) {
      const int32_t ix = (int32_t)(ox * stride + kx) - (int32_t)pad_left;
      const int inside = iy >= 0 && iy < (int32_t)h && ix >= 0 && ix < (int32_t)w;
      ptr[ky * KW + kx] = inside ? in + ((uint32_t)iy * w + (uint32_t)ix) * c : pad;
    }
  }
  ptr[TAPS] = pad;
}

/* One pair of taps of one pixel: x[t] and x[t+1] of channels c0..c0+7 interleaved, times the pair's weights. */
#define TAP_PAIR(pt, accl, acch)                                                         \
  {                                                                                       \
    const v128_t xa = EXTEND8(pt[2 * p] + c0), xb = EXTEND8(pt[2 * p + 1] + c0);          \
    accl = wasm_i32x4_add(accl, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(xa, xb, 0, 8, 1, 9, 2, 10, 3, 11), wl)); \
    acch = wasm_i32x4_add(acch, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(xa, xb, 4, 12, 5, 13, 6, 14, 7, 15), wh)); \
  }

/* Output pixels two at a time, so each weight vector loaded serves both. */
INLINE void run_impl(const XT *in, uint32_t h, uint32_t w, uint32_t oy0, uint32_t oy1, uint32_t ow, uint32_t stride,
                     uint32_t pad_top, uint32_t pad_left, const void *packed, XT *out, XT *scratch, const int uniform) {
  const qhdr *hd = (const qhdr *)packed;
  const v128_t vm = wasm_i32x4_splat(hd->mult);
  const uint32_t c = hd->n;
  const v128_t zp = wasm_i16x8_splat((int16_t)hd->out_zp);
  const v128_t vmin = wasm_i8x16_splat((int8_t)hd->out_min), vmax = wasm_i8x16_splat((int8_t)hd->out_max);
  for (uint32_t i = 0; i < c + 16; i++) scratch[i] = (XT)hd->x_zp;
  const XT *pa[TAPS + 1], *pb[TAPS + 1];
  const uint8_t *groups = (const uint8_t *)packed + sizeof(qhdr);
  for (uint32_t oy = oy0; oy < oy1; oy++) {
    for (uint32_t ox = 0; ox < ow; ox += 2) {
      const int two = ox + 1 < ow;
      tap_pointers(pa, in, h, w, c, oy, ox, stride, pad_top, pad_left, scratch);
      tap_pointers(pb, in, h, w, c, oy, two ? ox + 1 : ox, stride, pad_top, pad_left, scratch);
      XT *o = out + (oy * ow + ox) * c;
      const uint8_t *g = groups;
      for (uint32_t c0 = 0; c0 < c; c0 += CG, g += group_bytes(TAPS)) {
        v128_t al = wasm_v128_load(g), ah = wasm_v128_load(g + 16), bl = al, bh = ah;
        const uint8_t *wp = g + 32;
        for (uint32_t p = 0; p < PAIRS; p++, wp += 32) {
          const v128_t wl = wasm_v128_load(wp), wh = wasm_v128_load(wp + 16);
          TAP_PAIR(pa, al, ah)
          TAP_PAIR(pb, bl, bh)
        }
        /* Paired only with per-tensor parameters: per channel, the two requantizations' loads spill (measured). */
        if (two && uniform != 4 && uniform != 0) group_store2(al, ah, bl, bh, wp, hd, vm, zp, vmin, vmax, o, c0, c, uniform);
        else {
          group_store(al, ah, wp, hd, vm, zp, vmin, vmax, o, c0, c, uniform);
          if (two) group_store(bl, bh, wp, hd, vm, zp, vmin, vmax, o + c, c0, c, uniform);
        }
      }
    }
  }
}

#define DEF(mode)                                                                                                  \
  static NOINLINE void run_mode##mode(const XT *in, uint32_t h, uint32_t w, uint32_t oy0, uint32_t oy1, uint32_t ow, \
                                      uint32_t stride, uint32_t pad_top, uint32_t pad_left, const void *packed,      \
                                      XT *out, XT *scratch) {                                                        \
    run_impl(in, h, w, oy0, oy1, ow, stride, pad_top, pad_left, packed, out, scratch, mode);                        \
  }
DEFINE_PER_MODE(DEF)
#undef DEF

/** As run, output rows [oy0, oy1) only (one thread's share); scratch is per caller. */
EXPORT NOINLINE void FN(run_rows)(const XT *in, uint32_t h, uint32_t w, uint32_t oy0, uint32_t oy1, uint32_t ow,
                         uint32_t stride, uint32_t pad_top, uint32_t pad_left, const void *packed, XT *out,
                         XT *scratch) {
#define RUN(mode) run_mode##mode(in, h, w, oy0, oy1, ow, stride, pad_top, pad_left, packed, out, scratch)
  WITH_REQUANT_MODE((const qhdr *)packed, RUN)
#undef RUN
}

/**
 * Runs the layer on one NHWC image in[h][w][c] (16 readable bytes past the end) into out[oh][ow][c].
 * pad_top/pad_left: SAME padding offsets. scratch: c + 16 bytes the kernel fills with the input zero point.
 */
EXPORT void FN(run)(const XT *in, uint32_t h, uint32_t w, uint32_t oh, uint32_t ow, uint32_t stride,
                    uint32_t pad_top, uint32_t pad_left, const void *packed, XT *out, XT *scratch) {
  FN(run_rows)(in, h, w, 0, oh, ow, stride, pad_top, pad_left, packed, out, scratch);
}
