/* u8 quantized MUL (same shapes or per-channel broadcast), TFLite arithmetic. */
#define XT uint8_t
#define LOAD8(p) wasm_u16x8_load8x8(p)
#define NARROW wasm_u8x16_narrow_i16x8
#define VMIN wasm_u8x16_min
#define VMAX wasm_u8x16_max
#define FN(name) mul_u8_##name
#include "mul_q8.h"
