/** Fused activation applied by an op to its output. */
export type Activation = 'none' | 'relu' | 'relu6' | 'relu_n1_to_1' | 'tanh' | 'sign_bit';

/** TFLite padding: SAME pads so that out = ceil(in / stride); VALID does not pad. */
export type Padding = 'same' | 'valid';

export interface Conv2DAttrs {
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padding: Padding;
  activation: Activation;
}

export interface DepthwiseConv2DAttrs extends Conv2DAttrs {
  depthMultiplier: number;
}

export interface Pool2DAttrs {
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padding: Padding;
  activation: Activation;
}

export interface ActivationAttrs {
  activation: Activation;
}

export interface FullyConnectedAttrs {
  activation: Activation;
  keepNumDims: boolean;
}

export interface ReshapeAttrs {
  /** Target shape from the options; a second input tensor, when present, takes precedence. */
  newShape?: number[];
}

export interface SqueezeAttrs {
  /** Axes to remove; empty removes every dimension of size 1. */
  axes: number[];
}

export interface SoftmaxAttrs {
  beta: number;
}

export interface ReducerAttrs {
  keepDims: boolean;
}

export interface ConcatAttrs {
  axis: number;
  activation: Activation;
}

export type Empty = Record<string, never>;

/** Attribute type of each op. Inputs follow TFLite's order for the same op. */
export interface OpAttrs {
  /** inputs: x, filter (OHWI), bias? */
  CONV_2D: Conv2DAttrs;
  /** inputs: x, filter (1HWC), bias? */
  DEPTHWISE_CONV_2D: DepthwiseConv2DAttrs;
  /** inputs: x, weights [out, in], bias? */
  FULLY_CONNECTED: FullyConnectedAttrs;
  AVERAGE_POOL_2D: Pool2DAttrs;
  MAX_POOL_2D: Pool2DAttrs;
  /** inputs: x, axes (int32 constant) */
  MEAN: ReducerAttrs;
  ADD: ActivationAttrs;
  SUB: ActivationAttrs;
  MUL: ActivationAttrs;
  RELU: Empty;
  RELU6: Empty;
  HARD_SWISH: Empty;
  LOGISTIC: Empty;
  SOFTMAX: SoftmaxAttrs;
  /** inputs: x, shape? (int32 constant) */
  RESHAPE: ReshapeAttrs;
  SQUEEZE: SqueezeAttrs;
  /** float -> int, or int -> int (requantize) */
  QUANTIZE: Empty;
  DEQUANTIZE: Empty;
  /** inputs: x, paddings (int32 [rank, 2] constant) */
  PAD: Empty;
  CONCATENATION: ConcatAttrs;
}

export type OpName = keyof OpAttrs;

/** One operation of the graph. Inputs and outputs are tensor indices; -1 marks an absent optional input. */
export type Node = {
  [K in OpName]: { op: K; attrs: OpAttrs[K]; inputs: number[]; outputs: number[]; name?: string };
}[OpName];

/** The node type for one op. */
export type NodeOf<K extends OpName> = Extract<Node, { op: K }>;
