import type { Graph, Node, NodeOf, TypedArray } from '../graph/index.js';
import { activationRangeFloat, dtypesAre, inputTensor, nodeLabel } from './common.js';
import { constData, convQuant, floatBias, type ConvQuant } from './conv_quant.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';
import { multiplyByQuantizedMultiplierGemm as requantize } from './quant_math.js';

interface FcF32 {
  inDim: number;
  outDim: number;
  weights: Float32Array;
  bias: Float32Array;
  lo: number;
  hi: number;
}

function dims(node: Node, g: Graph): { inDim: number; outDim: number } {
  const w = inputTensor(g, node, 1).shape;
  return { outDim: w[0]!, inDim: w[1]! };
}

/** Float fully connected layer: y = W·x + b over each row of `inDim` inputs. */
export const fc_f32_ref: Kernel<FcF32> = defineKernel({
  name: 'fc_f32_ref',
  op: 'FULLY_CONNECTED',
  dtype: 'f32',
  variant: 'ref',
  supports: (node: Node, g: Graph) => node.op === 'FULLY_CONNECTED' && dtypesAre(g, [...node.inputs, ...node.outputs], 'float32'),
  prepare(node: Node, g: Graph): FcF32 {
    const { inDim, outDim } = dims(node, g);
    const [lo, hi] = activationRangeFloat((node as NodeOf<'FULLY_CONNECTED'>).attrs.activation, nodeLabel(node));
    return { inDim, outDim, weights: Float32Array.from(constData(node, g, 1, 'weights')), bias: floatBias(node, g, outDim), lo, hi };
  },
  run(p: FcF32, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
    const x = inputs[0] as Float32Array;
    const y = outputs[0] as Float32Array;
    const rows = x.length / p.inDim;
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < p.outDim; o++) {
        let acc = 0;
        for (let i = 0; i < p.inDim; i++) acc += x[r * p.inDim + i]! * p.weights[o * p.inDim + i]!;
        const v = Math.fround(acc + p.bias[o]!);
        y[r * p.outDim + o] = v < p.lo ? p.lo : v > p.hi ? p.hi : v;
      }
    }
  },
});

interface FcQ {
  inDim: number;
  outDim: number;
  weights: Int32Array;
  q: ConvQuant;
}

function quantKernel(dtype: KernelDType, t: 'uint8' | 'int8'): Kernel<FcQ> {
  return defineKernel({
    name: `fc_${dtype}_ref`,
    op: 'FULLY_CONNECTED',
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) =>
      node.op === 'FULLY_CONNECTED' &&
      dtypesAre(g, [node.inputs[0]!, node.inputs[1]!, node.outputs[0]!], t) &&
      dtypesAre(g, [node.inputs[2] ?? -1], 'int32'),
    prepare(node: Node, g: Graph): FcQ {
      const { inDim, outDim } = dims(node, g);
      const q = convQuant(node, g, outDim, (node as NodeOf<'FULLY_CONNECTED'>).attrs.activation);
      const raw = constData(node, g, 1, 'weights');
      const weights = new Int32Array(raw.length);
      for (let i = 0; i < raw.length; i++) weights[i] = raw[i]! - q.filterZeroPoint[Math.floor(i / inDim)]!;
      return { inDim, outDim, weights, q };
    },
    run(p: FcQ, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x = inputs[0] as Uint8Array | Int8Array;
      const y = outputs[0] as Uint8Array | Int8Array;
      const { q, inDim, outDim } = p;
      const rows = x.length / inDim;
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < outDim; o++) {
          let acc = q.bias[o]!;
          for (let i = 0; i < inDim; i++) acc += (x[r * inDim + i]! + q.inputOffset) * p.weights[o * inDim + i]!;
          let v = requantize(acc | 0, q.multiplier[o]!, q.shift[o]!) + q.outputOffset;
          v = v < q.actMin ? q.actMin : v > q.actMax ? q.actMax : v;
          y[r * outDim + o] = v;
        }
      }
    },
  });
}

/** uint8 fully connected layer. */
export const fc_u8_ref = quantKernel('u8', 'uint8');
/** int8 fully connected layer (per-tensor or per-channel weights). */
export const fc_i8_ref = quantKernel('i8', 'int8');
