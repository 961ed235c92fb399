/* Quantized GEMM micro-kernel 4x8, k in pairs (c2): C[m][n] = requant(bias'[n] + sum_k x[m][k] * (w[n][k] - w_zp)).
 * Included by gemm_u8_4x8_simd128.c / gemm_i8_4x8_simd128.c with XT (input/output element type),
 * EXTEND8 (8 bytes -> i16x8), NARROW (i16x8 pair -> 8-bit saturating), VMIN/VMAX (8-bit lane min/max) and FN(name).
 *
 * Packed layout: qhdr, then per block of 8 output channels: bias' (8 x i32), kp/2 pairs of two vectors
 * (channels 0-3 and 4-7, each [w(c,k), w(c,k+1)] x 4 as i16), then 2 x requant4 and the float64 parameters (f64q8).
 * kp = K rounded up to 8.
 * Requantization rounds like TFLite's x86 CONV_2D / FULLY_CONNECTED (requant4_apply_gemm).
 * Rows of x are first widened to int16 in a scratch, a chunk at a time, 4 rows interleaved per pair of k, so that
 * each pair (x[k], x[k+1]) is one 32-bit splat load at a constant offset from one pointer.
 * bias' = bias - x_zp * sum_k (w - w_zp), so padding rows of x with x_zp adds nothing. */
#include "common.h"

#define MR 4
#define NR 8

INLINE uint32_t block_bytes(uint32_t kp) { return 32 + kp * 16 + 2 * sizeof(requant4) + sizeof(f64q8); }

/** Bytes of the packed weights of a K x N layer. */
EXPORT uint32_t FN(packed_size)(uint32_t k, uint32_t n) {
  return sizeof(qhdr) + round_up(n, NR) / NR * block_bytes(round_up(k, 8));
}

/** Packs weights w[n][k] (OHWI flattened), optional bias (0 = none), per-channel multiplier/shift arrays of length n. */
EXPORT void FN(pack)(uint32_t k, uint32_t n, const XT *w, const int32_t *bias, int32_t x_zp, int32_t w_zp,
                     const int32_t *mult, const int32_t *shift, int32_t out_zp, int32_t out_min, int32_t out_max,
                     void *out) {
  uint32_t kp = round_up(k, 8);
  qhdr *h = (qhdr *)out;
  h->k = k; h->n = n; h->kp = kp; h->taps = 1;
  h->out_zp = out_zp; h->out_min = out_min; h->out_max = out_max; h->x_zp = x_zp;
  qhdr_set_uniform(h, mult, shift, n);
  uint8_t *b = (uint8_t *)out + sizeof(qhdr);
  const double xmax = (XT)-1 > 0 ? 255.0 : 128.0;
  double bound = 0;
  for (uint32_t n0 = 0; n0 < n; n0 += NR) {
    int32_t *bias4 = (int32_t *)b;
    int16_t *wp = (int16_t *)(b + 32);
    requant4 *rq = (requant4 *)(b + 32 + kp * 16);
    f64q8 *fq = (f64q8 *)(rq + 2);
    for (uint32_t j = 0; j < NR; j++) {
      uint32_t c = n0 + j;
      int32_t sum = 0;
      double abs_sum = 0;
      for (uint32_t kk = 0; kk < kp; kk++) {
        int32_t v = (c < n && kk < k) ? (int32_t)w[c * k + kk] - w_zp : 0;
        sum += v;
        abs_sum += v < 0 ? -v : v;
        /* pair kk/2, half j/4, lane j%4, element kk%2 */
        wp[(kk / 2) * 16 + (j / 4) * 8 + (j % 4) * 2 + (kk % 2)] = (int16_t)v;
      }
      const double acc = pack_channel(bias4, rq, fq, j, c < n, c, bias, x_zp, sum, abs_sum, xmax, mult, shift, 0);
      if (acc > bound) bound = acc;
    }
    b += block_bytes(kp);
  }
  qhdr_set_f64(h, bound, mult[0], shift[0], 0);
}

/** Bytes of scratch that run and run_cols need for at most m rows of K inputs. */
EXPORT uint32_t FN(scratch_size)(uint32_t m, uint32_t k) {
  const uint32_t kp = round_up(k, 8);
  return chunk_rows_max(m, kp * 2) * kp * 2;
}

/* Half `half` (channels 0-3 or 4-7) of one row of a block: two chains of k pairs. */
INLINE v128_t gemm_row(const int16_t *a, const uint8_t *blk, uint32_t kp, uint32_t half) {
  v128_t s0 = wasm_v128_load(blk + 16 * half), s1 = wasm_i32x4_const_splat(0);
  const uint8_t *w = blk + 32 + 16 * half;
  for (uint32_t kk = 0; kk < kp; kk += 4, w += 64) {
    s0 = wasm_i32x4_add(s0, wasm_i32x4_dot_i16x8(wasm_v128_load32_splat(a + kk), wasm_v128_load(w)));
    s1 = wasm_i32x4_add(s1, wasm_i32x4_dot_i16x8(wasm_v128_load32_splat(a + kk + 2), wasm_v128_load(w + 32)));
  }
  return wasm_i32x4_add(s0, s1);
}

INLINE void store_row(XT *c, v128_t lo, v128_t hi, const requant4 *rq, const qhdr *h, const int uniform, v128_t vm,
                      v128_t zp, v128_t vmin, v128_t vmax, uint32_t nr) {
  requant8(&lo, &hi, rq, h, vm, uniform, 0);
  v128_t q = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(lo, hi), zp);
  v128_t o = VMAX(VMIN(NARROW(q, q), vmax), vmin);
  if (nr == NR) wasm_v128_store64_lane(c, o, 0);
  else store_bytes(c, o, nr);
}

/* Two rows of a block requantized: row 0 in bytes 0-7, row 1 in bytes 8-15 (one narrowing and clamp for both). */
INLINE v128_t requant_rows2(v128_t l0, v128_t h0, v128_t l1, v128_t h1, const requant4 *rq, const qhdr *h,
                            const int uniform, v128_t vm, v128_t zp, v128_t vmin, v128_t vmax) {
  requant8(&l0, &h0, rq, h, vm, uniform, 0);
  requant8(&l1, &h1, rq, h, vm, uniform, 0);
  const v128_t q0 = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(l0, h0), zp);
  const v128_t q1 = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(l1, h1), zp);
  return VMAX(VMIN(NARROW(q0, q1), vmax), vmin);
}

/* Stores the first nr bytes of half `half` of o. */
INLINE void store_half(XT *c, v128_t o, const int half, uint32_t nr) {
  if (half) o = wasm_i64x2_shuffle(o, o, 1, 1);
  if (nr == NR) wasm_v128_store64_lane(c, o, 0);
  else store_bytes(c, o, nr);
}

/* Rows [0, m) of x widened to int16 into xw, 4 by 4: per group of 4 rows, per pair of k, the 4 rows' pairs
 * (x[k], x[k+1]) (16 bytes); rows missing in the last group repeat its last row, a last group of one row is row-major
 * (for gemm_row). Groups of 4 * kp; the pad past K meets zero weights. */
INLINE void widen_rows(uint32_t m, const XT *x, uint32_t x_stride, uint32_t k, uint32_t kp, int16_t *xw) {
  for (uint32_t r0 = 0; r0 < m; r0 += MR, x += MR * x_stride, xw += MR * kp) {
    if (m - r0 == 1) {
      for (uint32_t kk = 0; kk < k; kk += 8) wasm_v128_store(xw + kk, EXTEND8(x + kk));
      break;
    }
    const XT *x1 = x + x_stride;
    const XT *x2 = r0 + 2 < m ? x1 + x_stride : x1;
    const XT *x3 = r0 + 3 < m ? x2 + x_stride : x2;
    for (uint32_t kk = 0; kk < k; kk += 8) {
      store_transposed4x4(xw + kk * 4, EXTEND8(x + kk), EXTEND8(x1 + kk), EXTEND8(x2 + kk), EXTEND8(x3 + kk));
    }
  }
}

INLINE void run_impl(uint32_t m, const XT *x, uint32_t x_stride, const void *packed, XT *c, uint32_t c_stride,
                     uint32_t nb0, uint32_t nb1, int16_t *xw, const int uniform) {
  const qhdr *h = (const qhdr *)packed;
  const v128_t vm = wasm_i32x4_splat(h->mult);
  const uint32_t k = h->k, kp = h->kp;
  const uint32_t n = h->n < nb1 * NR ? h->n : nb1 * NR;
  const v128_t zp = wasm_i16x8_splat((int16_t)h->out_zp);
  const v128_t vmin = wasm_i8x16_splat((int8_t)h->out_min), vmax = wasm_i8x16_splat((int8_t)h->out_max);
  const uint8_t *blk0 = (const uint8_t *)packed + sizeof(qhdr) + nb0 * block_bytes(kp);
  const uint32_t mc = chunk_rows(m, kp * 2, (nb1 - nb0) * NR);
  for (uint32_t mc0 = 0; mc0 < m; mc0 += mc) {
    const uint32_t mc1 = m - mc0 < mc ? m : mc0 + mc;
    widen_rows(mc1 - mc0, x + mc0 * x_stride, x_stride, k, kp, xw);
    const uint8_t *blk = blk0;
    for (uint32_t n0 = nb0 * NR; n0 < n; n0 += NR, blk += block_bytes(kp)) {
      const uint32_t nr = n - n0 < NR ? n - n0 : NR;
      const requant4 *rq = (const requant4 *)(blk + 32 + kp * 16);
      for (uint32_t m0 = mc0; m0 < mc1; m0 += MR) {
        const uint32_t mr = mc1 - m0 < MR ? mc1 - m0 : MR;
        const int16_t *a0 = xw + (m0 - mc0) * kp;
        if (mr == 1) { /* one row (fully connected, the last row of a layer): not 4 rows' work */
          store_row(c + m0 * c_stride + n0, gemm_row(a0, blk, kp, 0), gemm_row(a0, blk, kp, 1), rq, h, uniform, vm, zp,
                    vmin, vmax, nr);
          continue;
        }
        v128_t acc0l = wasm_v128_load(blk), acc0h = wasm_v128_load(blk + 16);
        v128_t acc1l = acc0l, acc1h = acc0h, acc2l = acc0l, acc2h = acc0h, acc3l = acc0l, acc3h = acc0h;
        const uint8_t *a = (const uint8_t *)a0, *w = blk + 32;
        /* Not unrolled: unrolled, clang reassociates the sums across pairs and the live weights spill. */
#pragma clang loop unroll(disable)
        for (uint32_t i = (k + 1) / 2; i; i--, a += 16, w += 32) { /* counted: ~1% faster in V8 than a != end */
          __asm__("" : "+r"(a), "+r"(w)); /* hidden from loop strength reduction: constant offsets stay load offsets */
          const v128_t wl = wasm_v128_load(w), wh = wasm_v128_load(w + 16);
          v128_t b = wasm_v128_load32_splat(a);
          acc0l = wasm_i32x4_add(acc0l, wasm_i32x4_dot_i16x8(b, wl));
          acc0h = wasm_i32x4_add(acc0h, wasm_i32x4_dot_i16x8(b, wh));
          b = wasm_v128_load32_splat(a + 4);
          acc1l = wasm_i32x4_add(acc1l, wasm_i32x4_dot_i16x8(b, wl));
          acc1h = wasm_i32x4_add(acc1h, wasm_i32x4_dot_i16x8(b, wh));
          b = wasm_v128_load32_splat(a + 8);
          acc2l = wasm_i32x4_add(acc2l, wasm_i32x4_dot_i16x8(b, wl));
          acc2h = wasm_i32x4_add(acc2h, wasm_i32x4_dot_i16x8(b, wh));
          b = wasm_v128_load32_splat(a + 12);
          acc3l = wasm_i32x4_add(acc3l, wasm_i32x4_dot_i16x8(b, wl));
          acc3h = wasm_i32x4_add(acc3h, wasm_i32x4_dot_i16x8(b, wh));
        }
        XT *c0 = c + m0 * c_stride + n0;
        const v128_t o01 = requant_rows2(acc0l, acc0h, acc1l, acc1h, rq, h, uniform, vm, zp, vmin, vmax);
        store_half(c0, o01, 0, nr);
        if (mr > 1) store_half(c0 + c_stride, o01, 1, nr);
        if (mr > 2) {
          const v128_t o23 = requant_rows2(acc2l, acc2h, acc3l, acc3h, rq, h, uniform, vm, zp, vmin, vmax);
          store_half(c0 + 2 * c_stride, o23, 0, nr);
          if (mr > 3) store_half(c0 + 3 * c_stride, o23, 1, nr);
        }
      }
    }
  }
}

#define DEF(mode)                                                                                                  \
  static NOINLINE void run_mode##mode(uint32_t m, const XT *x, uint32_t x_stride, const void *packed, XT *c,         \
                                      uint32_t c_stride, uint32_t nb0, uint32_t nb1, int16_t *xw) {                  \
    run_impl(m, x, x_stride, packed, c, c_stride, nb0, nb1, xw, mode);                                               \
  }
DEFINE_PER_MODE(DEF)
#undef DEF

/** Output channels of blocks [nb0, nb1) of 8 only (one thread's share when rows are few); scratch of scratch_size. */
EXPORT NOINLINE void FN(run_cols)(uint32_t m, const XT *x, uint32_t x_stride, const void *packed, XT *c,
                                  uint32_t c_stride, uint32_t nb0, uint32_t nb1, int16_t *scratch) {
#define RUN(mode) run_mode##mode(m, x, x_stride, packed, c, c_stride, nb0, nb1, scratch)
  WITH_REQUANT_MODE((const qhdr *)packed, RUN)
#undef RUN
}

/** C[m][0..n) for m < M: rows of x at x + m*x_stride (K bytes + 16 readable), rows of C at c + m*c_stride; scratch of
 * scratch_size(m, K) bytes. */
EXPORT void FN(run)(uint32_t m, const XT *x, uint32_t x_stride, const void *packed, XT *c, uint32_t c_stride,
                    int16_t *scratch) {
  FN(run_cols)(m, x, x_stride, packed, c, c_stride, 0, (((const qhdr *)packed)->n + NR - 1) / NR, scratch);
}
