/* i8 quantized elementwise ADD (same shapes), TFLite arithmetic. */
#define XT int8_t
#define LOAD8(p) wasm_i16x8_load8x8(p)
#define EXT_LO(v) wasm_i32x4_extend_low_i16x8(v)
#define EXT_HI(v) wasm_i32x4_extend_high_i16x8(v)
#define NARROW wasm_i8x16_narrow_i16x8
#define VMIN wasm_i8x16_min
#define VMAX wasm_i8x16_max
#define FN(name) add_i8_##name
#include "add_q8.h"
