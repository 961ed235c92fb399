/* 5x5 depthwise convolution, u8, any stride, zero-point padding, per-channel requantization. */
#define KH 5
#define KW 5
#define XT uint8_t
#define EXTEND8(p) wasm_u16x8_load8x8(p)
#define NARROW wasm_u8x16_narrow_i16x8
#define VMIN wasm_u8x16_min
#define VMAX wasm_u8x16_max
#define FN(name) dwconv5x5_u8_##name
#include "dwconv_q8.h"
