/* float32 full convolution (im2col + 4x8 GEMM), zero padding, fused clamp. */
#define XT float
#define GEMM_RUN gemm_f32_4x8_run
#define GEMM_SCRATCH_SIZE gemm_f32_4x8_scratch_size
#define PAD_VALUE(p) 0.0f
#define FN(name) conv_f32_im2col_##name
#include "conv_im2col.h"
