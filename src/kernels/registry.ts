import { UnsupportedError } from '../errors.js';
import type { Graph, Node } from '../graph/index.js';
import { add_f32_ref, add_i8_ref, add_u8_ref } from './add.js';
import { avgpool_f32_ref, avgpool_i8_ref, avgpool_u8_ref } from './average_pool2d.js';
import { nodeLabel } from './common.js';
import { concat_f32_ref, concat_i8_ref, concat_u8_ref } from './concatenation.js';
import { conv2d_f32_ref, conv2d_i8_ref, conv2d_u8_ref } from './conv2d.js';
import { dwconv_f32_ref, dwconv_i8_ref, dwconv_u8_ref } from './depthwise_conv2d.js';
import { dequantize_i8_ref, dequantize_u8_ref } from './dequantize.js';
import { fc_f32_ref, fc_i8_ref, fc_u8_ref } from './fully_connected.js';
import { hardswish_f32_ref, hardswish_i8_ref, hardswish_u8_ref } from './hard_swish.js';
import type { Kernel } from './kernel.js';
import { lutKernels } from './lut.js';
import { logistic_f32_ref, logistic_i8_ref, logistic_u8_ref } from './logistic.js';
import { maxpool_f32_ref, maxpool_i8_ref, maxpool_u8_ref } from './max_pool2d.js';
import { mean_f32_ref, mean_i8_ref, mean_u8_ref } from './mean.js';
import { mul_f32_ref, mul_i8_ref, mul_u8_ref } from './mul.js';
import { pad_f32_ref, pad_i8_ref, pad_u8_ref } from './pad.js';
import { quantize_i8_ref, quantize_u8_ref } from './quantize.js';
import { relu_f32_ref, relu_i8_ref, relu_u8_ref } from './relu.js';
import { relu6_f32_ref, relu6_i8_ref, relu6_u8_ref } from './relu6.js';
import { reshape_f32_ref, reshape_i8_ref, reshape_u8_ref } from './reshape.js';
import { softmax_f32_ref, softmax_i8_ref, softmax_u8_ref } from './softmax.js';
import { squeeze_f32_ref, squeeze_i8_ref, squeeze_u8_ref } from './squeeze.js';
import { sub_f32_ref, sub_i8_ref, sub_u8_ref } from './sub.js';
import * as wasmConv from './wasm/conv_kernels.js';
import * as wasmDw from './wasm/dwconv_kernels.js';
import * as wasmEltwise from './wasm/eltwise_kernels.js';
import * as wasmPad from './wasm/pad_kernels.js';
import * as wasmPool from './wasm/pool_kernels.js';
import * as wasmUnary from './wasm/unary_kernels.js';
import { wasmLut } from './wasm/lut_kernels.js';

const LUT_KERNELS = lutKernels((node, g) => selectKernel(node, g, 'ref'));

/** Every kernel the engine has. Fast variants (variant 'wasm': WebAssembly SIMD) come first, then the references. */
export const kernels: readonly Kernel<any>[] = [
  wasmConv.conv1x1_u8_gemm4x8_simd128, wasmConv.conv1x1_i8_gemm4x8_simd128, wasmConv.conv1x1_f32_gemm4x8_simd128,
  wasmConv.conv_u8_im2col_gemm4x8_simd128, wasmConv.conv_i8_im2col_gemm4x8_simd128, wasmConv.conv_f32_direct4x8_simd128,
  wasmConv.fc_u8_gemm4x8_simd128, wasmConv.fc_i8_gemm4x8_simd128, wasmConv.fc_f32_gemm4x8_simd128,
  wasmDw.dwconv3x3_u8_simd128, wasmDw.dwconv3x3_i8_simd128, wasmDw.dwconv3x3_f32_simd128,
  wasmDw.dwconv5x5_u8_simd128, wasmDw.dwconv5x5_i8_simd128, wasmDw.dwconv5x5_f32_simd128,
  wasmEltwise.add_u8_lut8x8, wasmEltwise.add_i8_lut8x8, wasmEltwise.add_f32_simd128, wasmEltwise.mul_u8_simd128, wasmEltwise.mul_i8_simd128, wasmEltwise.mul_f32_simd128,
  wasmUnary.hardswish_f32_simd128, wasmEltwise.add_f32_scalar_simd128, wasmEltwise.mul_f32_scalar_simd128,
  wasmPool.gavgpool_u8_simd128, wasmPool.gavgpool_i8_simd128, wasmPool.gavgpool_f32_simd128,
  wasmUnary.softmax_f32_simd128, wasmPool.mean_u8_simd128, wasmPool.mean_i8_simd128,
  wasmPool.mean_f32_simd128,
  wasmPad.pad_u8_simd128, wasmPad.pad_i8_simd128, wasmPad.pad_f32_simd128,
  ...LUT_KERNELS.map(wasmLut),
  ...LUT_KERNELS,
  conv2d_f32_ref, conv2d_u8_ref, conv2d_i8_ref,
  dwconv_f32_ref, dwconv_u8_ref, dwconv_i8_ref,
  fc_f32_ref, fc_u8_ref, fc_i8_ref,
  avgpool_f32_ref, avgpool_u8_ref, avgpool_i8_ref,
  maxpool_f32_ref, maxpool_u8_ref, maxpool_i8_ref,
  mean_f32_ref, mean_u8_ref, mean_i8_ref,
  add_f32_ref, add_u8_ref, add_i8_ref,
  sub_f32_ref, sub_u8_ref, sub_i8_ref,
  mul_f32_ref, mul_u8_ref, mul_i8_ref,
  relu_f32_ref, relu_u8_ref, relu_i8_ref,
  relu6_f32_ref, relu6_u8_ref, relu6_i8_ref,
  hardswish_f32_ref, hardswish_u8_ref, hardswish_i8_ref,
  logistic_f32_ref, logistic_u8_ref, logistic_i8_ref,
  softmax_f32_ref, softmax_u8_ref, softmax_i8_ref,
  reshape_f32_ref, reshape_u8_ref, reshape_i8_ref,
  squeeze_f32_ref, squeeze_u8_ref, squeeze_i8_ref,
  quantize_u8_ref, quantize_i8_ref,
  dequantize_u8_ref, dequantize_i8_ref,
  pad_f32_ref, pad_u8_ref, pad_i8_ref,
  concat_f32_ref, concat_i8_ref, concat_u8_ref,
];

const byOp = new Map<string, Kernel<any>[]>();

/** The kernels of an op, in registry order. */
function kernelsOf(op: string): Kernel<any>[] {
  let ks = byOp.get(op);
  if (!ks) byOp.set(op, (ks = kernels.filter((k) => k.op === op)));
  return ks;
}

/** The kernel with that name, if any. */
export function kernelByName(name: string): Kernel<any> | undefined {
  return kernels.find((k) => k.name === name);
}

/**
 * Picks the kernel for a node among those that support it: 'ref' forces the reference kernels; 'wasm' prefers the
 * WebAssembly kernels (which need a WASM runtime at prepare, see KernelContext), then JavaScript fast variants
 * (tables); another string prefers that variant; without one, a JavaScript non-reference variant before the reference
 * one. The reference kernel is the fallback.
 */
export function selectKernel(node: Node, g: Graph, variant?: string): Kernel<any> {
  // Each kernel's supports() is asked at most once, and only when the kernel is the kind wanted.
  const known = new Map<Kernel<any>, boolean>();
  const supports = (k: Kernel<any>): boolean => {
    let ok = known.get(k);
    if (ok === undefined) known.set(k, (ok = k.supports(node, g)));
    return ok;
  };
  const first = (want: (k: Kernel<any>) => boolean) => kernelsOf(node.op).find((k) => want(k) && supports(k));
  const pick =
    (variant === 'wasm' ? first((k) => !!k.wasm) : undefined) ??
    (variant !== undefined ? first((k) => k.variant === variant) : undefined) ??
    (variant === undefined || variant === 'wasm' ? first((k) => k.variant !== 'ref' && !k.wasm) : undefined) ??
    first((k) => k.variant === 'ref');
  if (!pick) {
    const dtypes = [...node.inputs, ...node.outputs].map((i) => (i < 0 ? '-' : (g.tensors[i]?.dtype ?? '?'))).join(',');
    throw new UnsupportedError(`${nodeLabel(node)}: no kernel for this op with tensor dtypes (${dtypes})`);
  }
  return pick;
}
