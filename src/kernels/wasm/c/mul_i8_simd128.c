/* i8 quantized MUL (same shapes or per-channel broadcast), TFLite arithmetic. */
#define XT int8_t
#define LOAD8(p) wasm_i16x8_load8x8(p)
#define NARROW wasm_i8x16_narrow_i16x8
#define VMIN wasm_i8x16_min
#define VMAX wasm_i8x16_max
#define FN(name) mul_i8_##name
#include "mul_q8.h"
