/* int8 GEMM / 1x1 convolution, per-channel requantization (symmetric weights), tile 4x8. */
#define XT int8_t
#define EXTEND8(p) wasm_i16x8_load8x8(p)
#define NARROW wasm_i8x16_narrow_i16x8
#define VMIN wasm_i8x16_min
#define VMAX wasm_i8x16_max
#define FN(name) gemm_i8_4x8_##name
#include "gemm_q8_4x8.h"
