/* Two-input 8-bit table lookup y[i] = table[a[i] * 256 + b[i]]: a binary op of two 8-bit tensors (quantized ADD)
 * precomputed for all 65536 pairs of values. */
#include "common.h"

/** y[i] = table[a[i] << 8 | b[i]] for i < n (bytes); table: 65536 bytes. */
EXPORT void lut8x8_run(uint32_t n, const uint8_t *a, const uint8_t *b, const uint8_t *table, uint8_t *y) {
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t va = *(const uint32_t *)(a + i), vb = *(const uint32_t *)(b + i);
    *(uint32_t *)(y + i) = (uint32_t)table[(va & 0xff) << 8 | (vb & 0xff)] |
                           (uint32_t)table[(va & 0xff00) | (vb >> 8 & 0xff)] << 8 |
                           (uint32_t)table[(va >> 8 & 0xff00) | (vb >> 16 & 0xff)] << 16 |
                           (uint32_t)table[(va >> 16 & 0xff00) | vb >> 24] << 24;
  }
  for (; i < n; i++) y[i] = table[(uint32_t)a[i] << 8 | b[i]];
}

/** Writes every pair of bytes: a[i] = i >> 8, b[i] = i & 255 for i < 65536 (the inputs that compute a table). */
EXPORT void lut8x8_pairs(uint8_t *a, uint8_t *b) {
  const v128_t ramp = wasm_u8x16_make(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (uint32_t hi = 0; hi < 256; hi++) {
    const v128_t v = wasm_u8x16_splat((uint8_t)hi);
    for (uint32_t lo = 0; lo < 256; lo += 16) {
      wasm_v128_store(a + hi * 256 + lo, v);
      wasm_v128_store(b + hi * 256 + lo, wasm_i8x16_add(ramp, wasm_u8x16_splat((uint8_t)lo)));
    }
  }
}
