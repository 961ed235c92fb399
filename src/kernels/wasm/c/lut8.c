/* 8-bit table lookup y[i] = table[x[i]] (elementwise ops of one 8-bit input precomputed for all 256 values). */
#include "common.h"

/** y[i] = table[x[i]] for i < n; table: 256 bytes. */
EXPORT void lut8_run(uint32_t n, const uint8_t *x, const uint8_t *table, uint8_t *y) {
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t v = *(const uint32_t *)(x + i);
    *(uint32_t *)(y + i) = (uint32_t)table[v & 0xff] | (uint32_t)table[(v >> 8) & 0xff] << 8 |
                           (uint32_t)table[(v >> 16) & 0xff] << 16 | (uint32_t)table[v >> 24] << 24;
  }
  for (; i < n; i++) y[i] = table[x[i]];
}
