import { UnsupportedError } from '../errors.js';
import type { Activation, Graph, Node, Tensor } from '../graph/index.js';
import { activationRangeQuantized, inputTensor, nodeLabel, outputTensor, quantOf } from './common.js';
import { quantizeMultiplier } from './quant_math.js';

/** Requantization constants shared by the quantized conv, depthwise conv and fully connected kernels. */
export interface ConvQuant {
  inputOffset: number;
  outputOffset: number;
  /** Per output channel (one entry repeated when per-tensor). */
  multiplier: Int32Array;
  shift: Int32Array;
  /** Per output channel filter zero point. */
  filterZeroPoint: Int32Array;
  /** int32 bias per output channel (zeros when absent). */
  bias: Int32Array;
  actMin: number;
  actMax: number;
}

/**
 * TFLite PopulateConvolutionQuantizationParams: effective scale per output channel
 * = input scale · filter scale / output scale, then QuantizeMultiplier.
 */
export function convQuant(node: Node, g: Graph, outChannels: number, activation: Activation): ConvQuant {
  const where = nodeLabel(node);
  const x = inputTensor(g, node, 0);
  const w = inputTensor(g, node, 1);
  const y = outputTensor(g, node);
  const xq = quantOf(x, where);
  const yq = quantOf(y, where);
  const wqp = w.quant;
  if (!wqp || wqp.scale.length < 1) throw new UnsupportedError(`${where}: filter '${w.name}' has no quantization`);
  const perChannel = wqp.scale.length > 1;
  if (perChannel && wqp.scale.length !== outChannels) {
    throw new UnsupportedError(`${where}: filter has ${wqp.scale.length} scales for ${outChannels} output channels`);
  }
  const multiplier = new Int32Array(outChannels);
  const shift = new Int32Array(outChannels);
  const filterZeroPoint = new Int32Array(outChannels);
  // Per-tensor filters have one multiplier for every channel: computed once.
  for (let c = 0; c < (perChannel ? outChannels : Math.min(outChannels, 1)); c++) {
    const ws = wqp.scale[c]!;
    // uint8 uses GetQuantizedConvolutionMultipler (float32 product of the scales), int8 the per-channel doubles.
    const product = x.dtype === 'uint8' ? Math.fround(xq.scale * ws) : xq.scale * ws;
    const m = quantizeMultiplier(product / yq.scale);
    multiplier[c] = m.multiplier;
    shift[c] = m.shift;
    filterZeroPoint[c] = wqp.zeroPoint[c] ?? 0;
  }
  if (!perChannel) {
    multiplier.fill(multiplier[0]!);
    shift.fill(shift[0]!);
    filterZeroPoint.fill(filterZeroPoint[0]!);
  }
  const bias = new Int32Array(outChannels);
  const bi = node.inputs[2] ?? -1;
  if (bi >= 0) {
    const b: Tensor | undefined = g.tensors[bi];
    if (!b?.data || b.dtype !== 'int32') throw new UnsupportedError(`${where}: bias must be a constant int32 tensor`);
    bias.set(b.data as Int32Array);
  }
  const [actMin, actMax] = activationRangeQuantized(activation, y.dtype, yq.scale, yq.zeroPoint, where);
  return { inputOffset: -xq.zeroPoint, outputOffset: yq.zeroPoint, multiplier, shift, filterZeroPoint, bias, actMin, actMax };
}

/** The float bias of a float conv/FC node (zeros when absent). */
export function floatBias(node: Node, g: Graph, outChannels: number): Float32Array {
  const bias = new Float32Array(outChannels);
  const bi = node.inputs[2] ?? -1;
  if (bi >= 0) {
    const b = g.tensors[bi];
    if (!b?.data || b.dtype !== 'float32') throw new UnsupportedError(`${nodeLabel(node)}: bias must be a constant float32 tensor`);
    bias.set(b.data as Float32Array);
  }
  return bias;
}

/** A constant tensor's data, or an error naming the node. */
export function constData(node: Node, g: Graph, input: number, what: string): ArrayLike<number> {
  const t = inputTensor(g, node, input);
  if (!t.data) throw new UnsupportedError(`${nodeLabel(node)}: ${what} '${t.name}' must be a constant`);
  return t.data as ArrayLike<number>;
}
