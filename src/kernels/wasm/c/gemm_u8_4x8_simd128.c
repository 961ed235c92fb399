/* uint8 GEMM / 1x1 convolution, per-tensor (or per-channel) requantization, tile 4x8. */
#define XT uint8_t
#define EXTEND8(p) wasm_u16x8_load8x8(p)
#define NARROW wasm_u8x16_narrow_i16x8
#define VMIN wasm_u8x16_min
#define VMAX wasm_u8x16_max
#define FN(name) gemm_u8_4x8_##name
#include "gemm_q8_4x8.h"
