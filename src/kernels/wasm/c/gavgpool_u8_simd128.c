/* u8 global average pooling, TFLite rounding. */
#define XT uint8_t
#define LOAD8(p) wasm_u16x8_load8x8(p)
#define FN(name) gavgpool_u8_##name
#include "gavgpool_q8.h"
