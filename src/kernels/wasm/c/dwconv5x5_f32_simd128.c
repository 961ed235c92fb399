/* 5x5 depthwise convolution, float32, any stride, zero padding, fused clamp. */
#define KH 5
#define KW 5
#define FN(name) dwconv5x5_f32_##name
#include "dwconv_f32.h"
