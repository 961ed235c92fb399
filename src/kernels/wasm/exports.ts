/**
 * The functions the kernel module exports. Every pointer is a byte offset into the shared linear memory;
 * every count is in elements. Inputs may be read up to {@link WASM_EXTRA_BYTES} past their end (keep that
 * much slack after each input in the arena); outputs are never written past their end.
 *
 * Quantized weights are packed once at load by `*_pack` into `*_packed_size` bytes (16-byte aligned); TFLite
 * multipliers and shifts (shift > 0 is a left shift) are passed as int32 arrays of one entry per output channel.
 * GEMM rows are NHWC pixels, so a 1x1 convolution is `run(h*w, x, cin, packed, y, cout)`.
 */
export interface WasmKernelExports {
  /** Start of the free part of linear memory (after the stack and static data). */
  readonly __heap_base: WebAssembly.Global;
  /** The shadow stack pointer (shared-memory builds only): each thread sets its own stack top. */
  readonly __stack_pointer?: WebAssembly.Global;

  gemm_u8_4x8_packed_size(k: number, n: number): number;
  /** w: uint8 [n][k]; bias: int32 [n] or 0; mult, shift: int32 [n]. Rounds like TFLite's x86 CONV_2D/FC. */
  gemm_u8_4x8_pack(k: number, n: number, w: number, bias: number, xZp: number, wZp: number, mult: number,
    shift: number, outZp: number, outMin: number, outMax: number, packed: number): void;
  /** Bytes of scratch of run / run_cols for at most m rows (every GEMM has one; 0 for float). */
  gemm_u8_4x8_scratch_size(m: number, k: number): number;
  /** y[m][0..n) (row stride yStride) from x[m][0..k) (row stride xStride); scratch of scratch_size(m, k) bytes. */
  gemm_u8_4x8_run(m: number, x: number, xStride: number, packed: number, y: number, yStride: number, scratch: number): void;
  /** Every GEMM also has `*_run_cols(m, x, xStride, packed, y, yStride, nb0, nb1, scratch)`: output channel blocks
   * [nb0, nb1) of 8 only, for one thread's share when rows are few. */
  gemm_u8_4x8_run_cols(m: number, x: number, xStride: number, packed: number, y: number, yStride: number, nb0: number,
    nb1: number, scratch: number): void;
  gemm_i8_4x8_packed_size(k: number, n: number): number;
  gemm_i8_4x8_pack(k: number, n: number, w: number, bias: number, xZp: number, wZp: number, mult: number,
    shift: number, outZp: number, outMin: number, outMax: number, packed: number): void;
  gemm_i8_4x8_scratch_size(m: number, k: number): number;
  gemm_i8_4x8_run(m: number, x: number, xStride: number, packed: number, y: number, yStride: number, scratch: number): void;
  gemm_f32_4x8_packed_size(k: number, n: number): number;
  /** w: float32 [n][k]; bias: float32 [n] or 0; output clamped to [outMin, outMax]. */
  gemm_f32_4x8_pack(k: number, n: number, w: number, bias: number, outMin: number, outMax: number, packed: number): void;
  gemm_f32_4x8_scratch_size(m: number, k: number): number;
  gemm_f32_4x8_run(m: number, x: number, xStride: number, packed: number, y: number, yStride: number, scratch: number): void;

  /** Depthwise KxK (K = 3, 5), depth multiplier 1. w: 1HWC [K*K][c]. Rounds like TFLite's DEPTHWISE_CONV_2D. */
  dwconv3x3_u8_packed_size(c: number): number;
  dwconv3x3_u8_pack(c: number, w: number, bias: number, xZp: number, wZp: number, mult: number, shift: number,
    outZp: number, outMin: number, outMax: number, packed: number): void;
  /** scratch: c + 16 bytes (filled with the input zero point, the padding value). */
  dwconv3x3_u8_run(x: number, h: number, w: number, oh: number, ow: number, stride: number, padTop: number,
    padLeft: number, packed: number, y: number, scratch: number): void;
  /** Every depthwise kernel also has `*_run_rows(x, h, w, oy0, oy1, ow, stride, padTop, padLeft, packed, y, scratch)`:
   * output rows [oy0, oy1) only, for one thread's share (scratch per thread). */
  dwconv3x3_u8_run_rows(x: number, h: number, w: number, oy0: number, oy1: number, ow: number, stride: number,
    padTop: number, padLeft: number, packed: number, y: number, scratch: number): void;
  dwconv3x3_i8_packed_size(c: number): number;
  dwconv3x3_i8_pack(c: number, w: number, bias: number, xZp: number, wZp: number, mult: number, shift: number,
    outZp: number, outMin: number, outMax: number, packed: number): void;
  dwconv3x3_i8_run(x: number, h: number, w: number, oh: number, ow: number, stride: number, padTop: number,
    padLeft: number, packed: number, y: number, scratch: number): void;
  dwconv5x5_u8_packed_size(c: number): number;
  dwconv5x5_u8_pack(c: number, w: number, bias: number, xZp: number, wZp: number, mult: number, shift: number,
    outZp: number, outMin: number, outMax: number, packed: number): void;
  dwconv5x5_u8_run(x: number, h: number, w: number, oh: number, ow: number, stride: number, padTop: number,
    padLeft: number, packed: number, y: number, scratch: number): void;
  dwconv5x5_i8_packed_size(c: number): number;
  dwconv5x5_i8_pack(c: number, w: number, bias: number, xZp: number, wZp: number, mult: number, shift: number,
    outZp: number, outMin: number, outMax: number, packed: number): void;
  dwconv5x5_i8_run(x: number, h: number, w: number, oh: number, ow: number, stride: number, padTop: number,
    padLeft: number, packed: number, y: number, scratch: number): void;
  dwconv3x3_f32_packed_size(c: number): number;
  dwconv3x3_f32_pack(c: number, w: number, bias: number, outMin: number, outMax: number, packed: number): void;
  /** scratch: c + 4 floats (zeroed here). */
  dwconv3x3_f32_run(x: number, h: number, w: number, oh: number, ow: number, stride: number, padTop: number,
    padLeft: number, packed: number, y: number, scratch: number): void;
  dwconv5x5_f32_packed_size(c: number): number;
  dwconv5x5_f32_pack(c: number, w: number, bias: number, outMin: number, outMax: number, packed: number): void;
  dwconv5x5_f32_run(x: number, h: number, w: number, oh: number, ow: number, stride: number, padTop: number,
    padLeft: number, packed: number, y: number, scratch: number): void;

  /** Full convolution (the stem): quantized as im2col + GEMM, float directly from the input rows; weights packed by
   * gemm_*_pack with k = kh*kw*cin (OHWI); scratch of scratch_size bytes. */
  conv_u8_im2col_scratch_size(kh: number, kw: number, cin: number, ow: number, stride: number): number;
  conv_u8_im2col_run(x: number, h: number, w: number, cin: number, kh: number, kw: number, oh: number, ow: number,
    stride: number, padTop: number, padLeft: number, packed: number, y: number, scratch: number): void;
  conv_i8_im2col_scratch_size(kh: number, kw: number, cin: number, ow: number, stride: number): number;
  conv_i8_im2col_run(x: number, h: number, w: number, cin: number, kh: number, kw: number, oh: number, ow: number,
    stride: number, padTop: number, padLeft: number, packed: number, y: number, scratch: number): void;
  /** Every full conv also has `*_run_rows(x, h, w, cin, kh, kw, oy0, oy1, ow, stride, padTop, padLeft, packed, y,
   * scratch)`: output rows [oy0, oy1) only (scratch per thread). */
  conv_u8_im2col_run_rows(x: number, h: number, w: number, cin: number, kh: number, kw: number, oy0: number,
    oy1: number, ow: number, stride: number, padTop: number, padLeft: number, packed: number, y: number,
    scratch: number): void;
  conv_f32_direct_scratch_size(kh: number, kw: number, cin: number, ow: number, stride: number): number;
  conv_f32_direct_run(x: number, h: number, w: number, cin: number, kh: number, kw: number, oh: number, ow: number,
    stride: number, padTop: number, padLeft: number, packed: number, y: number, scratch: number): void;

  /** params: 12 int32 (in1Offset, in2Offset, leftShift, in1Mult, in1Shift, in2Mult, in2Shift, outMult, outShift,
   * outOffset, outMin, outMax) as TFLite's ADD computes them. Same-shape inputs. */
  add_u8_params_size(): number;
  add_u8_run(n: number, a: number, b: number, params: number, y: number): void;
  add_i8_params_size(): number;
  add_i8_run(n: number, a: number, b: number, params: number, y: number): void;

  /** MUL as TFLite computes it: y[p][i] = a[p][i] * b[i] for p < pixels, i < c (b one row broadcast over the pixels,
   * or pixels = 1 and c = n for same shapes). params: 8 int32 (in1Offset, in2Offset, outOffset, multiplier,
   * leftShift, rightShift, outMin, outMax). */
  mul_u8_run(pixels: number, c: number, a: number, b: number, params: number, y: number): void;
  mul_i8_run(pixels: number, c: number, a: number, b: number, params: number, y: number): void;

  /** y[i] = clamp(a[i] + b[i], range[0], range[1]) for i < n; range: 2 floats. */
  add_f32_run(n: number, a: number, b: number, range: number, y: number): void;
  /** y[p][i] = clamp(a[p][i] * b[i], range[0], range[1]) (pixels = 1 and c = n for same shapes); range: 2 floats. */
  mul_f32_run(pixels: number, c: number, a: number, b: number, range: number, y: number): void;
  /** y[i] = clamp(x[i] + p[0] (or * p[0]), p[1], p[2]) for i < n: a tensor and a one-element constant; p: 3 floats. */
  scalar_add_f32_run(n: number, x: number, p: number, y: number): void;
  scalar_mul_f32_run(n: number, x: number, p: number, y: number): void;
  /** y[i] = x[i] * min(6, max(0, x[i] + 3)) / 6 for i < n, each step rounded to float32. */
  hardswish_f32_run(n: number, x: number, y: number): void;

  /** y[i] = table[x[i]] for i < n (8-bit elementwise ops as 256-entry tables). */
  lut8_run(n: number, x: number, table: number, y: number): void;
  /** y[i] = table[a[i] * 256 + b[i]] for i < n (binary ops of two 8-bit tensors); table: 65536 bytes. */
  lut8x8_run(n: number, a: number, b: number, table: number, y: number): void;
  /** Writes every pair of bytes: a[i] = i >> 8, b[i] = i & 255 for i < 65536. */
  lut8x8_pairs(a: number, b: number): void;

  /** Global average pooling; acc: channels + 8 int32 of scratch. Input and output share quantization. */
  gavgpool_u8_run(pixels: number, channels: number, x: number, outMin: number, outMax: number, y: number, acc: number): void;
  gavgpool_i8_run(pixels: number, channels: number, x: number, outMin: number, outMax: number, y: number, acc: number): void;
  gavgpool_f32_run(pixels: number, channels: number, x: number, outMin: number, outMax: number, y: number): void;
  /** acc[c] = the sum of x[p][c] over the pixels (acc: channels + 8 int32). */
  gavgpool_u8_sums(pixels: number, channels: number, x: number, acc: number): void;
  gavgpool_i8_sums(pixels: number, channels: number, x: number, acc: number): void;

  /** PAD on height and width: output rows [oy0, oy1) of out[oh][ow][px bytes], in[h][w][px bytes] at (top, left),
   * the rest `value` bytes. */
  pad_hw_run(x: number, h: number, w: number, px: number, top: number, left: number, oh: number, ow: number,
    value: number, y: number, oy0: number, oy1: number): void;

  /** Softmax over rows of depth floats, beta > 0 (a polynomial exp, relative error below 2e-7). */
  softmax_f32_run(rows: number, depth: number, x: number, beta: number, y: number): void;
}

/** Bytes past the end of an input a kernel may read (never write). */
export const WASM_EXTRA_BYTES = 16;
