/** Builtin options tables and operator versions of TFLite operators, written from graph IR nodes. */
import type { Builder } from 'flatbuffers';
import type { Graph } from '../../graph/graph.js';
import type { Activation, Node, Padding } from '../../graph/ops.js';
import { i32Vector, slots } from './fb_write.js';
import { ACTIVATIONS, F, OPTIONS_TYPE, PADDINGS } from './schema.js';

/** The builtin_options union of one operator: type 0 (NONE) for ops written without options. */
export interface WrittenOptions {
  type: number;
  offset: number;
}

const act = (a: Activation): number => ACTIVATIONS.indexOf(a);
const pad = (p: Padding): number => PADDINGS.indexOf(p);

/** Writes the options table of `node` (before the Operator table that refers to it). */
export function writeOptions(b: Builder, node: Node): WrittenOptions {
  switch (node.op) {
    case 'CONV_2D': {
      const f = F.Conv2DOptions;
      const a = node.attrs;
      b.startObject(slots(f));
      b.addFieldInt8(f.padding, pad(a.padding), 0);
      b.addFieldInt32(f.stride_w, a.strideW, 0);
      b.addFieldInt32(f.stride_h, a.strideH, 0);
      b.addFieldInt8(f.fused_activation_function, act(a.activation), 0);
      b.addFieldInt32(f.dilation_w_factor, a.dilationW, 1);
      b.addFieldInt32(f.dilation_h_factor, a.dilationH, 1);
      return { type: OPTIONS_TYPE.Conv2DOptions, offset: b.endObject() };
    }
    case 'DEPTHWISE_CONV_2D': {
      const f = F.DepthwiseConv2DOptions;
      const a = node.attrs;
      b.startObject(slots(f));
      b.addFieldInt8(f.padding, pad(a.padding), 0);
      b.addFieldInt32(f.stride_w, a.strideW, 0);
      b.addFieldInt32(f.stride_h, a.strideH, 0);
      b.addFieldInt32(f.depth_multiplier, a.depthMultiplier, 0);
      b.addFieldInt8(f.fused_activation_function, act(a.activation), 0);
      b.addFieldInt32(f.dilation_w_factor, a.dilationW, 1);
      b.addFieldInt32(f.dilation_h_factor, a.dilationH, 1);
      return { type: OPTIONS_TYPE.DepthwiseConv2DOptions, offset: b.endObject() };
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const f = F.Pool2DOptions;
      const a = node.attrs;
      b.startObject(slots(f));
      b.addFieldInt8(f.padding, pad(a.padding), 0);
      b.addFieldInt32(f.stride_w, a.strideW, 0);
      b.addFieldInt32(f.stride_h, a.strideH, 0);
      b.addFieldInt32(f.filter_width, a.filterW, 0);
      b.addFieldInt32(f.filter_height, a.filterH, 0);
      b.addFieldInt8(f.fused_activation_function, act(a.activation), 0);
      return { type: OPTIONS_TYPE.Pool2DOptions, offset: b.endObject() };
    }
    case 'FULLY_CONNECTED': {
      const f = F.FullyConnectedOptions;
      b.startObject(slots(f));
      b.addFieldInt8(f.fused_activation_function, act(node.attrs.activation), 0);
      b.addFieldInt8(f.keep_num_dims, node.attrs.keepNumDims ? 1 : 0, 0);
      return { type: OPTIONS_TYPE.FullyConnectedOptions, offset: b.endObject() };
    }
    case 'SOFTMAX': {
      b.startObject(slots(F.SoftmaxOptions));
      b.addFieldFloat32(F.SoftmaxOptions.beta, node.attrs.beta, 0);
      return { type: OPTIONS_TYPE.SoftmaxOptions, offset: b.endObject() };
    }
    case 'CONCATENATION': {
      const f = F.ConcatenationOptions;
      b.startObject(slots(f));
      b.addFieldInt32(f.axis, node.attrs.axis, 0);
      b.addFieldInt8(f.fused_activation_function, act(node.attrs.activation), 0);
      return { type: OPTIONS_TYPE.ConcatenationOptions, offset: b.endObject() };
    }
    case 'ADD':
    case 'MUL':
    case 'SUB': {
      const f = F.ActivationOptions;
      b.startObject(slots(f));
      b.addFieldInt8(f.fused_activation_function, act(node.attrs.activation), 0);
      const type = { ADD: OPTIONS_TYPE.AddOptions, MUL: OPTIONS_TYPE.MulOptions, SUB: OPTIONS_TYPE.SubOptions }[node.op];
      return { type, offset: b.endObject() };
    }
    case 'RESHAPE': {
      const newShape = node.attrs.newShape;
      if (newShape === undefined) return { type: 0, offset: 0 };
      const v = i32Vector(b, newShape);
      b.startObject(slots(F.ReshapeOptions));
      b.addFieldOffset(F.ReshapeOptions.new_shape, v, 0);
      return { type: OPTIONS_TYPE.ReshapeOptions, offset: b.endObject() };
    }
    case 'SQUEEZE': {
      const v = i32Vector(b, node.attrs.axes);
      b.startObject(slots(F.SqueezeOptions));
      b.addFieldOffset(F.SqueezeOptions.squeeze_dims, v, 0);
      return { type: OPTIONS_TYPE.SqueezeOptions, offset: b.endObject() };
    }
    case 'MEAN': {
      b.startObject(slots(F.ReducerOptions));
      b.addFieldInt8(F.ReducerOptions.keep_dims, node.attrs.keepDims ? 1 : 0, 0);
      return { type: OPTIONS_TYPE.ReducerOptions, offset: b.endObject() };
    }
    case 'RELU':
    case 'RELU6':
    case 'HARD_SWISH':
    case 'LOGISTIC':
    case 'QUANTIZE':
    case 'DEQUANTIZE':
    case 'PAD':
      return { type: 0, offset: 0 };
  }
}

/** Ops whose int8 kernels came with a version bump (TFLite's op_version.cc): op -> int8 version. */
const INT8_VERSION: Partial<Record<Node['op'], number>> = {
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 3,
  FULLY_CONNECTED: 4,
  AVERAGE_POOL_2D: 2,
  MAX_POOL_2D: 2,
  MEAN: 2,
  ADD: 2,
  SUB: 2,
  MUL: 2,
  RELU: 2,
  RELU6: 2,
  LOGISTIC: 2,
  SOFTMAX: 2,
  PAD: 2,
  CONCATENATION: 2,
  DEQUANTIZE: 2,
};

/**
 * The operator version TFLite's converter assigns, for the cases this engine produces: int8 kernels
 * (by the first input's dtype), QUANTIZE to int16 (2), dilated float depthwise convolutions (2);
 * 1 otherwise (float and uint8 kernels).
 */
export function opVersion(node: Node, graph: Graph): number {
  const input = graph.tensors[node.inputs[0]!]!;
  const output = graph.tensors[node.outputs[0]!]!;
  if (node.op === 'QUANTIZE') return output.dtype === 'int16' ? 2 : 1;
  if (input.dtype === 'int8') return INT8_VERSION[node.op] ?? 1;
  if (node.op === 'DEPTHWISE_CONV_2D' && (node.attrs.dilationW !== 1 || node.attrs.dilationH !== 1)) return 2;
  return 1;
}
