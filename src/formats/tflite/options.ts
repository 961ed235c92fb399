/** Builtin options tables of TFLite operators, turned into the attributes of graph IR nodes. */
import { UnsupportedError } from '../../errors.js';
import type { Activation, OpAttrs, OpName, Padding } from '../../graph/ops.js';
import type { FlatBuffer, Table } from './flatbuf.js';
import { ACTIVATIONS, F, OPTIONS_TYPE, PADDINGS } from './schema.js';

/** Shapes around an operator that some options are checked or completed against. */
export interface OpShapes {
  /** Shape of each input tensor (undefined for an absent input). */
  inputs: (number[] | undefined)[];
  /** Shape of the first output tensor. */
  output: number[];
}

type OptionsName = keyof typeof OPTIONS_TYPE;

/** The options table of an operator, checked to be of the expected union type. */
function options(fb: FlatBuffer, type: number, table: Table | undefined, want: OptionsName, required: boolean): Table | undefined {
  if (type !== 0 && type !== OPTIONS_TYPE[want]) {
    fb.fail(`builtin_options has union type ${type}, expected ${want} (${OPTIONS_TYPE[want]})`);
  }
  if (!table || type === 0) {
    if (required) fb.fail(`missing ${want}`);
    return undefined;
  }
  return table;
}

function activation(fb: FlatBuffer, t: Table | undefined, field: number): Activation {
  const v = t ? t.i8(field, 'fused_activation_function') : 0;
  const a = ACTIVATIONS[v];
  if (a === undefined) fb.fail(`${t?.type}: unknown fused_activation_function ${v}`);
  return a;
}

function padding(fb: FlatBuffer, t: Table): Padding {
  const v = t.i8(0, 'padding');
  const p = PADDINGS[v];
  if (p === undefined) fb.fail(`${t.type}: unknown padding ${v}`);
  return p;
}

/** An int field that must be at least 1 (strides, dilations, filter sizes). */
function positive(fb: FlatBuffer, t: Table, field: number, name: string, def = 0): number {
  const v = t.i32(field, name, def);
  if (v < 1) fb.fail(`${t.type}.${name} = ${v}, must be at least 1`);
  return v;
}

/** An axis in [-rank, rank) made non-negative (left as is when the rank is unknown). */
function axisOf(fb: FlatBuffer, axis: number, rank: number | undefined, what: string): number {
  if (rank === undefined) return axis;
  if (axis < -rank || axis >= rank) fb.fail(`${what} ${axis} out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/**
 * Reads the attributes of one operator from its builtin options.
 *
 * `type` is the operator's builtin_options_type and `table` its builtin_options. Options that the
 * converter always writes (convolutions, pools, softmax) are required; the others default as the
 * schema says.
 */
export function readAttrs<K extends OpName>(
  fb: FlatBuffer,
  op: K,
  type: number,
  table: Table | undefined,
  shapes: OpShapes,
): OpAttrs[K] {
  return readAny(fb, op, type, table, shapes) as OpAttrs[K];
}

function readAny(fb: FlatBuffer, op: OpName, type: number, table: Table | undefined, shapes: OpShapes): OpAttrs[OpName] {
  switch (op) {
    case 'CONV_2D': {
      const f = F.Conv2DOptions;
      const t = options(fb, type, table, 'Conv2DOptions', true)!;
      return {
        padding: padding(fb, t),
        strideW: positive(fb, t, f.stride_w, 'stride_w'),
        strideH: positive(fb, t, f.stride_h, 'stride_h'),
        activation: activation(fb, t, f.fused_activation_function),
        dilationW: positive(fb, t, f.dilation_w_factor, 'dilation_w_factor', 1),
        dilationH: positive(fb, t, f.dilation_h_factor, 'dilation_h_factor', 1),
      };
    }
    case 'DEPTHWISE_CONV_2D': {
      const f = F.DepthwiseConv2DOptions;
      const t = options(fb, type, table, 'DepthwiseConv2DOptions', true)!;
      return {
        padding: padding(fb, t),
        strideW: positive(fb, t, f.stride_w, 'stride_w'),
        strideH: positive(fb, t, f.stride_h, 'stride_h'),
        depthMultiplier: depthMultiplier(fb, t, shapes),
        activation: activation(fb, t, f.fused_activation_function),
        dilationW: positive(fb, t, f.dilation_w_factor, 'dilation_w_factor', 1),
        dilationH: positive(fb, t, f.dilation_h_factor, 'dilation_h_factor', 1),
      };
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const f = F.Pool2DOptions;
      const t = options(fb, type, table, 'Pool2DOptions', true)!;
      return {
        padding: padding(fb, t),
        strideW: positive(fb, t, f.stride_w, 'stride_w'),
        strideH: positive(fb, t, f.stride_h, 'stride_h'),
        filterW: positive(fb, t, f.filter_width, 'filter_width'),
        filterH: positive(fb, t, f.filter_height, 'filter_height'),
        activation: activation(fb, t, f.fused_activation_function),
      };
    }
    case 'FULLY_CONNECTED': {
      const f = F.FullyConnectedOptions;
      const t = options(fb, type, table, 'FullyConnectedOptions', false);
      const format = t ? t.i8(f.weights_format, 'weights_format') : 0;
      if (format !== 0) {
        throw new UnsupportedError(`${fb.label}: ${fb.where}: FULLY_CONNECTED weights_format ${format} (shuffled weights) is not supported`);
      }
      return {
        activation: activation(fb, t, f.fused_activation_function),
        keepNumDims: t ? t.bool(f.keep_num_dims, 'keep_num_dims') : false,
      };
    }
    case 'SOFTMAX': {
      const t = options(fb, type, table, 'SoftmaxOptions', true)!;
      const beta = t.f32(F.SoftmaxOptions.beta, 'beta');
      if (!Number.isFinite(beta)) fb.fail(`SoftmaxOptions.beta = ${beta}`);
      return { beta };
    }
    case 'CONCATENATION': {
      const f = F.ConcatenationOptions;
      const t = options(fb, type, table, 'ConcatenationOptions', false);
      const axis = t ? t.i32(f.axis, 'axis') : 0;
      const rank = shapes.output.length || undefined;
      return { axis: axisOf(fb, axis, rank, 'ConcatenationOptions.axis'), activation: activation(fb, t, f.fused_activation_function) };
    }
    case 'ADD':
      return { activation: activation(fb, options(fb, type, table, 'AddOptions', false), 0) };
    case 'MUL':
      return { activation: activation(fb, options(fb, type, table, 'MulOptions', false), 0) };
    case 'SUB':
      return { activation: activation(fb, options(fb, type, table, 'SubOptions', false), 0) };
    case 'RESHAPE': {
      const t = options(fb, type, table, 'ReshapeOptions', false);
      const newShape = t?.i32s(F.ReshapeOptions.new_shape, 'new_shape');
      return newShape ? { newShape } : {};
    }
    case 'SQUEEZE': {
      const t = options(fb, type, table, 'SqueezeOptions', false);
      const dims = t?.i32s(F.SqueezeOptions.squeeze_dims, 'squeeze_dims') ?? [];
      const rank = shapes.inputs[0]?.length;
      return { axes: dims.map((a) => axisOf(fb, a, rank, 'SqueezeOptions.squeeze_dims')) };
    }
    case 'MEAN': {
      const t = options(fb, type, table, 'ReducerOptions', false);
      return { keepDims: t ? t.bool(F.ReducerOptions.keep_dims, 'keep_dims') : false };
    }
    case 'RELU':
    case 'RELU6':
    case 'HARD_SWISH':
    case 'LOGISTIC':
    case 'QUANTIZE':
    case 'DEQUANTIZE':
    case 'PAD':
      return {};
  }
}

/**
 * The depth multiplier: output channels of the filter over input channels when both shapes say so
 * (newer TFLite runtimes ignore the stored value, which converters may leave at 0), else the stored value.
 */
function depthMultiplier(fb: FlatBuffer, t: Table, shapes: OpShapes): number {
  const stored = t.i32(F.DepthwiseConv2DOptions.depth_multiplier, 'depth_multiplier');
  const x = shapes.inputs[0];
  const w = shapes.inputs[1];
  if (x && w && x.length === 4 && w.length === 4) {
    const cin = x[3]!;
    const cout = w[3]!;
    if (cin > 0 && cout % cin === 0 && cout / cin >= 1) return cout / cin;
  }
  if (stored < 1) fb.fail(`DepthwiseConv2DOptions.depth_multiplier = ${stored}, must be at least 1`);
  return stored;
}
