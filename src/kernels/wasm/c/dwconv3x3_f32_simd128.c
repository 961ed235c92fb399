/* 3x3 depthwise convolution, float32, any stride, zero padding, fused clamp. */
#define KH 3
#define KW 3
#define FN(name) dwconv3x3_f32_##name
#include "dwconv_f32.h"
