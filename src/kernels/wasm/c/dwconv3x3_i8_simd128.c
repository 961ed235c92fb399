/* 3x3 depthwise convolution, i8, any stride, zero-point padding, per-channel requantization. */
#define KH 3
#define KW 3
#define XT int8_t
#define EXTEND8(p) wasm_i16x8_load8x8(p)
#define NARROW wasm_i8x16_narrow_i16x8
#define VMIN wasm_i8x16_min
#define VMAX wasm_i8x16_max
#define FN(name) dwconv3x3_i8_##name
#include "dwconv_q8.h"
