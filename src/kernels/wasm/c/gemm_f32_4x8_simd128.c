/* float32 GEMM / 1x1 convolution with bias and fused clamp (relu, relu6), tile 4x8.
 * Packed layout: fhdr, then per block of 8 output channels: bias (8 floats), then k rows of 8 weights.
 * With 4+ blocks, the rows of A of each chunk are first packed in scratch so the inner loop's loads all share one
 * address register (constant offsets): fewer instructions per k than one address per row. */
#include "common.h"

#define MR 4
#define NR 8
/* Column blocks from which run_cols packs the rows of A (k-major, 4 by 4) first. */
#define PACK_BLOCKS 4

/** Bytes of the packed weights of a K x N layer. */
EXPORT uint32_t gemm_f32_4x8_packed_size(uint32_t k, uint32_t n) {
  return sizeof(fhdr) + round_up(n, NR) / NR * (k + 1) * NR * 4;
}

/** Packs w[n][k], optional bias (0 = none) and the output clamp range. */
EXPORT void gemm_f32_4x8_pack(uint32_t k, uint32_t n, const float *w, const float *bias, float out_min, float out_max,
                              void *out) {
  fhdr *h = (fhdr *)out;
  h->k = k; h->n = n; h->kp = k; h->taps = 1; h->out_min = out_min; h->out_max = out_max; h->pad0 = h->pad1 = 0;
  float *p = (float *)((uint8_t *)out + sizeof(fhdr));
  for (uint32_t n0 = 0; n0 < n; n0 += NR) {
    for (uint32_t j = 0; j < NR; j++) *p++ = (n0 + j < n && bias) ? bias[n0 + j] : 0.0f;
    for (uint32_t kk = 0; kk < k; kk++)
      for (uint32_t j = 0; j < NR; j++) *p++ = n0 + j < n ? w[(n0 + j) * k + kk] : 0.0f;
  }
}

/* One row of a block of 8 channels, two chains of k. */
INLINE void gemm_row(const float *a, const float *blk, uint32_t k, v128_t vmin, v128_t vmax, float *c, uint32_t nr) {
  v128_t l0 = wasm_v128_load(blk), h0 = wasm_v128_load(blk + 4);
  v128_t l1 = wasm_f32x4_const_splat(0.0f), h1 = l1;
  const float *w = blk + NR;
  uint32_t kk = 0;
  for (; kk + 2 <= k; kk += 2, w += 2 * NR) {
    const v128_t b0 = wasm_v128_load32_splat(a + kk), b1 = wasm_v128_load32_splat(a + kk + 1);
    l0 = fmadd4(b0, wasm_v128_load(w), l0); h0 = fmadd4(b0, wasm_v128_load(w + 4), h0);
    l1 = fmadd4(b1, wasm_v128_load(w + NR), l1); h1 = fmadd4(b1, wasm_v128_load(w + NR + 4), h1);
  }
  if (kk < k) {
    const v128_t b0 = wasm_v128_load32_splat(a + kk);
    l0 = fmadd4(b0, wasm_v128_load(w), l0); h0 = fmadd4(b0, wasm_v128_load(w + 4), h0);
  }
  store_floats8(c, wasm_f32x4_add(l0, l1), wasm_f32x4_add(h0, h1), vmin, vmax, nr);
}

/** Scratch bytes of run / run_cols: rows of a chunk packed 4 by 4, k-major. */
EXPORT uint32_t gemm_f32_4x8_scratch_size(uint32_t m, uint32_t k) {
  return m > 1 ? chunk_rows_max(m, k * 4) * k * 4 : 0;
}

/* Packs rows [m0, m1) of x, 4 by 4: p[g][kk][r] = x[m0 + 4g + r][kk], rows past m1 repeating the last row. */
static void pack_rows(const float *x, uint32_t x_stride, uint32_t m0, uint32_t m1, uint32_t k, float *p) {
  for (uint32_t r0 = m0; r0 < m1; r0 += MR, p += MR * k) {
    const float *a0 = x + r0 * x_stride;
    const float *a1 = r0 + 1 < m1 ? a0 + x_stride : a0;
    const float *a2 = r0 + 2 < m1 ? a1 + x_stride : a1;
    const float *a3 = r0 + 3 < m1 ? a2 + x_stride : a2;
    uint32_t kk = 0;
    for (; kk + 4 <= k; kk += 4) {
      store_transposed4x4(p + kk * 4, wasm_v128_load(a0 + kk), wasm_v128_load(a1 + kk), wasm_v128_load(a2 + kk),
                          wasm_v128_load(a3 + kk));
    }
    for (; kk < k; kk++) {
      p[kk * 4] = a0[kk]; p[kk * 4 + 1] = a1[kk]; p[kk * 4 + 2] = a2[kk]; p[kk * 4 + 3] = a3[kk];
    }
  }
}

/* A 4x8 tile of C: row r of A at a + o_r floats (o_0 = 0), the next k step floats on. */
INLINE void tile4x8(const float *a, uint32_t o1, uint32_t o2, uint32_t o3, uint32_t step, const float *blk, uint32_t k,
                    v128_t vmin, v128_t vmax, float *c, uint32_t c_stride, uint32_t mr, uint32_t nr) {
  v128_t acc0l = wasm_v128_load(blk), acc0h = wasm_v128_load(blk + 4);
  v128_t acc1l = acc0l, acc1h = acc0h, acc2l = acc0l, acc2h = acc0h, acc3l = acc0l, acc3h = acc0h;
  const float *w = blk + NR;
  for (const float *end = a + k * step; a != end; a += step, w += NR) {
    __asm__("" : "+r"(a), "+r"(w)); /* hidden from loop strength reduction: constant offsets stay load offsets */
    const v128_t wl = wasm_v128_load(w), wh = wasm_v128_load(w + 4);
    v128_t b = wasm_v128_load32_splat(a);
    acc0l = fmadd4(b, wl, acc0l); acc0h = fmadd4(b, wh, acc0h);
    b = wasm_v128_load32_splat(a + o1);
    acc1l = fmadd4(b, wl, acc1l); acc1h = fmadd4(b, wh, acc1h);
    b = wasm_v128_load32_splat(a + o2);
    acc2l = fmadd4(b, wl, acc2l); acc2h = fmadd4(b, wh, acc2h);
    b = wasm_v128_load32_splat(a + o3);
    acc3l = fmadd4(b, wl, acc3l); acc3h = fmadd4(b, wh, acc3h);
  }
  store_floats8(c, acc0l, acc0h, vmin, vmax, nr);
  if (mr > 1) store_floats8(c + c_stride, acc1l, acc1h, vmin, vmax, nr);
  if (mr > 2) store_floats8(c + 2 * c_stride, acc2l, acc2h, vmin, vmax, nr);
  if (mr > 3) store_floats8(c + 3 * c_stride, acc3l, acc3h, vmin, vmax, nr);
}

/* Rows [m0, m1) of C, channels [n0, n) from the block at blk on; A packed at pa (pack_rows) if packed. */
INLINE void gemm_rows(const float *x, uint32_t x_stride, const float *pa, int packed, uint32_t m0, uint32_t m1,
                      const float *blk, uint32_t n0, uint32_t n, uint32_t k, float *c, uint32_t c_stride, v128_t vmin,
                      v128_t vmax) {
  for (; n0 < n; n0 += NR, blk += (k + 1) * NR) {
    const uint32_t nr = n - n0 < NR ? n - n0 : NR;
    const float *p = pa;
    for (uint32_t r0 = m0; r0 < m1; r0 += MR, p += MR * k) {
      const uint32_t mr = m1 - r0 < MR ? m1 - r0 : MR;
      const float *a0 = x + r0 * x_stride;
      float *c0 = c + r0 * c_stride + n0;
      if (mr == 1) /* one row (fully connected, the last row of a layer): not 4 rows' work */
        gemm_row(a0, blk, k, vmin, vmax, c0, nr);
      else if (packed)
        tile4x8(p, 1, 2, 3, MR, blk, k, vmin, vmax, c0, c_stride, mr, nr);
      else /* rows past mr repeat the last */
        tile4x8(a0, x_stride, (mr > 2 ? 2 : 1) * x_stride, (mr > 3 ? 3 : mr - 1) * x_stride, 1, blk, k, vmin, vmax, c0,
                c_stride, mr, nr);
    }
  }
}

static NOINLINE void gemm_rows_packed(const float *x, uint32_t x_stride, const float *pa, uint32_t m0, uint32_t m1,
                                      const float *blk, uint32_t n0, uint32_t n, uint32_t k, float *c, uint32_t c_stride,
                                      v128_t vmin, v128_t vmax) {
  gemm_rows(x, x_stride, pa, 1, m0, m1, blk, n0, n, k, c, c_stride, vmin, vmax);
}

static NOINLINE void gemm_rows_direct(const float *x, uint32_t x_stride, uint32_t m0, uint32_t m1, const float *blk,
                                      uint32_t n0, uint32_t n, uint32_t k, float *c, uint32_t c_stride, v128_t vmin,
                                      v128_t vmax) {
  gemm_rows(x, x_stride, 0, 0, m0, m1, blk, n0, n, k, c, c_stride, vmin, vmax);
}

/** Output channels of blocks [nb0, nb1) of 8 only (one thread's share when rows are few); scratch of scratch_size. */
EXPORT NOINLINE void gemm_f32_4x8_run_cols(uint32_t m, const float *x, uint32_t x_stride, const void *packed, float *c,
                                           uint32_t c_stride, uint32_t nb0, uint32_t nb1, void *scratch) {
  const fhdr *h = (const fhdr *)packed;
  const uint32_t k = h->k, n = h->n < nb1 * NR ? h->n : nb1 * NR;
  const v128_t vmin = wasm_f32x4_splat(h->out_min), vmax = wasm_f32x4_splat(h->out_max);
  const float *blk = (const float *)((const uint8_t *)packed + sizeof(fhdr)) + nb0 * (k + 1) * NR;
  const uint32_t mc = chunk_rows(m, k * 4, (nb1 - nb0) * NR * 4);
  for (uint32_t mc0 = 0; mc0 < m; mc0 += mc) {
    const uint32_t mc1 = m - mc0 < mc ? m : mc0 + mc;
    if (nb1 - nb0 >= PACK_BLOCKS && mc1 - mc0 > 1) {
      pack_rows(x, x_stride, mc0, mc1, k, (float *)scratch);
      gemm_rows_packed(x, x_stride, (const float *)scratch, mc0, mc1, blk, nb0 * NR, n, k, c, c_stride, vmin, vmax);
    } else {
      gemm_rows_direct(x, x_stride, mc0, mc1, blk, nb0 * NR, n, k, c, c_stride, vmin, vmax);
    }
  }
}

/** C[m][0..n) for m < M: rows of x at x + m*x_stride floats, rows of C at c + m*c_stride floats. */
EXPORT void gemm_f32_4x8_run(uint32_t m, const float *x, uint32_t x_stride, const void *packed, float *c,
                             uint32_t c_stride, void *scratch) {
  gemm_f32_4x8_run_cols(m, x, x_stride, packed, c, c_stride, 0, (((const fhdr *)packed)->n + NR - 1) / NR, scratch);
}
