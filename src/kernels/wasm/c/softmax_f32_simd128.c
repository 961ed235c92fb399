/* float32 softmax over rows: y = exp(beta*(x - max)) / sum. exp by range reduction, x = n*ln2 + r with |r| <= ln2/2,
 * a degree-6 Taylor polynomial (relative error below 2e-7) and 2^n built in the exponent bits; exp of anything below
 * -87.3 (2^-126) is 0. */
#include "common.h"

/* exp(x) for x <= 0. */
INLINE v128_t exp_nonpos(v128_t x) {
  const v128_t magic = wasm_f32x4_const_splat(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
  const v128_t n = wasm_f32x4_sub(fmadd4(x, wasm_f32x4_const_splat(1.44269504f), magic), magic);
  v128_t r = fmadd4(n, wasm_f32x4_const_splat(-0.693145751953125f), x); /* ln 2 in two parts: n*hi is exact */
  r = fmadd4(n, wasm_f32x4_const_splat(-1.428606765330187e-6f), r);
  v128_t p = wasm_f32x4_const_splat(1.0f / 720);
  p = fmadd4(p, r, wasm_f32x4_const_splat(1.0f / 120));
  p = fmadd4(p, r, wasm_f32x4_const_splat(1.0f / 24));
  p = fmadd4(p, r, wasm_f32x4_const_splat(1.0f / 6));
  p = fmadd4(p, r, wasm_f32x4_const_splat(0.5f));
  p = fmadd4(p, r, wasm_f32x4_const_splat(1.0f));
  p = fmadd4(p, r, wasm_f32x4_const_splat(1.0f));
  const v128_t two_n = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_const_splat(127)), 23);
  return wasm_v128_andnot(wasm_f32x4_mul(p, two_n), wasm_f32x4_lt(x, wasm_f32x4_const_splat(-87.33654f)));
}

INLINE float lane0(v128_t v) { return wasm_f32x4_extract_lane(v, 0); }

/** y[r][j] for r < rows, j < depth, from x[r][j]; beta > 0. */
EXPORT void softmax_f32_run(uint32_t rows, uint32_t depth, const float *x, float beta, float *y) {
  const v128_t vbeta = wasm_f32x4_splat(beta);
  for (uint32_t row = 0; row < rows; row++, x += depth, y += depth) {
    v128_t vmax = wasm_f32x4_splat(x[0]);
    uint32_t j = 0;
    for (; j + 4 <= depth; j += 4) vmax = wasm_f32x4_max(vmax, wasm_v128_load(x + j));
    for (; j < depth; j++) vmax = wasm_f32x4_max(vmax, wasm_f32x4_splat(x[j]));
    vmax = wasm_f32x4_max(vmax, wasm_i32x4_shuffle(vmax, vmax, 2, 3, 0, 1));
    vmax = wasm_f32x4_max(vmax, wasm_i32x4_shuffle(vmax, vmax, 1, 0, 3, 2));
    v128_t vsum = wasm_f32x4_const_splat(0.0f);
    for (j = 0; j + 4 <= depth; j += 4) {
      const v128_t e = exp_nonpos(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + j), vmax), vbeta));
      wasm_v128_store(y + j, e);
      vsum = wasm_f32x4_add(vsum, e);
    }
    float sum = lane0(vsum) + wasm_f32x4_extract_lane(vsum, 1) + wasm_f32x4_extract_lane(vsum, 2) +
                wasm_f32x4_extract_lane(vsum, 3);
    for (; j < depth; j++) {
      y[j] = lane0(exp_nonpos(wasm_f32x4_mul(wasm_f32x4_sub(wasm_f32x4_splat(x[j]), vmax), vbeta)));
      sum += y[j];
    }
    const v128_t inv = wasm_f32x4_splat(1.0f / sum);
    for (j = 0; j + 4 <= depth; j += 4) wasm_v128_store(y + j, wasm_f32x4_mul(wasm_v128_load(y + j), inv));
    for (; j < depth; j++) y[j] *= lane0(inv);
  }
}
