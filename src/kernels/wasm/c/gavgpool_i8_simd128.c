/* i8 global average pooling, TFLite rounding. */
#define XT int8_t
#define LOAD8(p) wasm_i16x8_load8x8(p)
#define FN(name) gavgpool_i8_##name
#include "gavgpool_q8.h"
