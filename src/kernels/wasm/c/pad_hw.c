/* Constant padding of an NHWC image on height and width (PAD with zero batch and channel paddings): bytes, so one
 * kernel serves float32 (pad byte 0) and 8-bit tensors (pad byte the zero point). */
#include "common.h"

/** Output rows [oy0, oy1) of out[oh][ow][px bytes] from in[h][w][px bytes] placed at (top, left); the rest is
 * `value` bytes. */
EXPORT void pad_hw_run(const uint8_t *in, uint32_t h, uint32_t w, uint32_t px, uint32_t top, uint32_t left, uint32_t oh,
                       uint32_t ow, uint32_t value, uint8_t *out, uint32_t oy0, uint32_t oy1) {
  (void)oh;
  const uint32_t row = ow * px, lead = left * px, body = w * px;
  for (uint32_t oy = oy0; oy < oy1; oy++) {
    uint8_t *d = out + oy * row;
    if (oy < top || oy - top >= h) {
      __builtin_memset(d, (int)value, row);
      continue;
    }
    __builtin_memset(d, (int)value, lead);
    __builtin_memcpy(d + lead, in + (oy - top) * body, body);
    __builtin_memset(d + lead + body, (int)value, row - lead - body);
  }
}
