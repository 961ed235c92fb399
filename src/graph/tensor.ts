import type { DType, TypedArray } from './dtype.js';

/**
 * Affine quantization: real = scale * (q - zeroPoint).
 * Per-tensor when `scale` has one entry; per-channel along `axis` otherwise.
 */
export interface QuantParams {
  scale: number[];
  zeroPoint: number[];
  /** The quantized dimension for per-channel parameters (0 when per-tensor). */
  axis: number;
}

/** A tensor of the graph: an activation (no data) or a constant (weights, biases, shapes). */
export interface Tensor {
  name: string;
  dtype: DType;
  /** NHWC for activations; OHWI for conv filters, 1HWC for depthwise filters, [out, in] for fully connected. */
  shape: number[];
  quant?: QuantParams;
  /** Present for constants. */
  data?: TypedArray;
}

/** Number of elements of a shape ([] is a scalar with one element). */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** True when the quantization parameters are per-tensor. */
export function isPerTensor(q: QuantParams): boolean {
  return q.scale.length === 1;
}

/** Shape as text, for error messages: `[1,224,224,3]`. */
export function shapeToString(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
