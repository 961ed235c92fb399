/* uint8 full convolution (im2col + 4x8 GEMM), zero-point padding. */
#define XT uint8_t
#define GEMM_RUN gemm_u8_4x8_run
#define GEMM_SCRATCH_SIZE gemm_u8_4x8_scratch_size
#define PAD_VALUE(p) ((XT)((const qhdr *)(p))->x_zp)
#define FN(name) conv_u8_im2col_##name
#include "conv_im2col.h"
