import { ShapeError, UnsupportedError } from '../errors.js';
import type { Activation, DType, Graph, Node, Padding, Tensor } from '../graph/index.js';
import { intRange } from '../graph/index.js';
import type { KernelDType } from './kernel.js';

const f32 = Math.fround;

/** The kernel dtype family of a tensor dtype, or undefined. */
export function kernelDType(dtype: DType): KernelDType | undefined {
  return dtype === 'float32' ? 'f32' : dtype === 'uint8' ? 'u8' : dtype === 'int8' ? 'i8' : undefined;
}

/** The tensor dtype of a kernel dtype family. */
export function tensorDType(k: KernelDType): DType {
  return k === 'f32' ? 'float32' : k === 'u8' ? 'uint8' : 'int8';
}

/** A node's label for error messages. */
export function nodeLabel(node: Node): string {
  return `${node.op}${node.name ? ` '${node.name}'` : ''}`;
}

/** The tensor at input `i` of a node (throws when absent). */
export function inputTensor(g: Graph, node: Node, i: number): Tensor {
  const t = g.tensors[node.inputs[i] ?? -1];
  if (!t) throw new ShapeError(`${nodeLabel(node)}: missing input ${i}`);
  return t;
}

/** The tensor at output `i` of a node. */
export function outputTensor(g: Graph, node: Node, i = 0): Tensor {
  const t = g.tensors[node.outputs[i] ?? -1];
  if (!t) throw new ShapeError(`${nodeLabel(node)}: missing output ${i}`);
  return t;
}

/** Per-tensor scale and zero point of a quantized tensor. */
export function quantOf(t: Tensor, where: string): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length < 1) throw new UnsupportedError(`${where}: tensor '${t.name}' has no quantization`);
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
}

/** True when every listed tensor of the node has the dtype (or the input is absent). */
export function dtypesAre(g: Graph, indices: number[], dtype: DType): boolean {
  return indices.every((i) => i < 0 || g.tensors[i]?.dtype === dtype);
}

/** Float clamp bounds of a fused activation (TFLite CalculateActivationRange). */
export function activationRangeFloat(act: Activation, where: string): [number, number] {
  switch (act) {
    case 'none':
      return [-Infinity, Infinity];
    case 'relu':
      return [0, Infinity];
    case 'relu6':
      return [0, 6];
    case 'relu_n1_to_1':
      return [-1, 1];
    default:
      throw new UnsupportedError(`${where}: fused activation '${act}' is not supported`);
  }
}

/** Integer clamp bounds of a fused activation (TFLite CalculateActivationRangeQuantized). */
export function activationRangeQuantized(
  act: Activation,
  dtype: DType,
  scale: number,
  zeroPoint: number,
  where: string,
): [number, number] {
  const [qmin, qmax] = intRange(dtype);
  const q = (v: number): number => zeroPoint + roundf(f32(f32(v) / f32(scale)));
  switch (act) {
    case 'none':
      return [qmin, qmax];
    case 'relu':
      return [Math.max(qmin, q(0)), qmax];
    case 'relu6':
      return [Math.max(qmin, q(0)), Math.min(qmax, q(6))];
    case 'relu_n1_to_1':
      return [Math.max(qmin, q(-1)), Math.min(qmax, q(1))];
    default:
      throw new UnsupportedError(`${where}: fused activation '${act}' is not supported`);
  }
}

/** roundf: half away from zero. */
export function roundf(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Output size of a conv/pool window (TFLite ComputeOutSize). */
export function outSize(padding: Padding, inSize: number, filter: number, stride: number, dilation = 1): number {
  const eff = (filter - 1) * dilation + 1;
  return padding === 'same' ? Math.floor((inSize + stride - 1) / stride) : Math.floor((inSize + stride - eff) / stride);
}

/** Leading (top/left) padding of a window (TFLite ComputePadding). */
export function padBefore(stride: number, dilation: number, inSize: number, filter: number, out: number): number {
  const eff = (filter - 1) * dilation + 1;
  const p = Math.trunc(((out - 1) * stride + eff - inSize) / 2);
  return p > 0 ? p : 0;
}

/** Clamps to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
