import type { Graph, Node, NodeOf, TypedArray } from '../graph/index.js';
import { intRange } from '../graph/index.js';
import { dtypesAre, inputTensor, nodeLabel, outputTensor, quantOf, roundf } from './common.js';
import { constData } from './conv_quant.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from './quant_math.js';

const f = Math.fround;

/** How the quantized mean is computed, following TFLite 2.9's reduce.cc dispatch. */
type MeanMode =
  /** uint8, 4-D, axes {1,2}, keepDims: integer Mean (sum, multiplier, rounded bias). Not checked against the interpreter. */
  | 'spatial'
  /** Same input/output quantization: truncating integer division of the sum. */
  | 'same'
  /** QuantizedMeanOrSum: float32 rescale of the mean. */
  | 'float';

/** The arithmetic of a MEAN node: how each output follows from the sum of its inputs. */
export interface MeanArith {
  outSize: number;
  count: number;
  mode: MeanMode;
  mult: number;
  shift: number;
  bias: number;
  scale: number;
  fbias: number;
  outZp: number;
  min: number;
  max: number;
}

interface MeanP extends MeanArith {
  /** For each input element, the output element it adds into. */
  outIndex: Int32Array;
}

/** The reduced axes of a MEAN node as listed (non-negative). */
function meanAxes(node: Node, g: Graph): number[] {
  const r = inputTensor(g, node, 0).shape.length;
  return Array.from(constData(node, g, 1, 'axes'), (a) => (a < 0 ? a + r : a));
}

/** For each element of a tensor of `shape`, its output element once `axes` are reduced. */
function reductionMap(shape: number[], axes: Set<number>): Int32Array {
  const r = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  const outStrides = new Array<number>(r).fill(0);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    if (!axes.has(i)) {
      outStrides[i] = acc;
      acc *= shape[i]!;
    }
  }
  const outIndex = new Int32Array(total);
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < total; k++) {
    let o = 0;
    for (let i = 0; i < r; i++) o += idx[i]! * outStrides[i]!;
    outIndex[k] = o;
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return outIndex;
}

/** The arithmetic of a MEAN node (TFLite 2.9's case for its dtypes, axes and quantization). */
export function prepareMean(node: Node, g: Graph): MeanArith {
  const n = node as NodeOf<'MEAN'>;
  const x = inputTensor(g, node, 0);
  const y = outputTensor(g, node);
  const r = x.shape.length;
  const axesList = meanAxes(node, g);
  const axes = new Set(axesList);
  const total = x.shape.reduce((a, b) => a * b, 1);
  const outSize = x.shape.reduce((a, d, i) => (axes.has(i) ? a : a * d), 1);
  const count = total / Math.max(outSize, 1);
  const base = { outSize, count, mode: 'float' as MeanMode, mult: 0, shift: 0, bias: 0, scale: 0, fbias: 0, outZp: 0, min: 0, max: 0 };
  if (x.dtype === 'float32') return base;
  const where = nodeLabel(node);
  const xq = quantOf(x, where);
  const yq = quantOf(y, where);
  const [min, max] = intRange(y.dtype);
  const common = { ...base, outZp: yq.zeroPoint, min, max };
  // The interpreter checked against (x86 build of tfjs-tflite-node) takes the float path below for int8
  // even in this 4-D case; the uint8 special case follows TFLite's source.
  const spatial = y.dtype === 'uint8' && n.attrs.keepDims && r === 4 && axesList.length === 2 && axes.has(1) && axes.has(2);
  if (spatial) {
    let temp = f(f(xq.zeroPoint * f(xq.scale)) / f(yq.scale));
    temp = temp > 0 ? f(temp + 0.5) : f(temp - 0.5);
    const bias = yq.zeroPoint - Math.trunc(temp);
    const m = quantizeMultiplier(f(f(xq.scale) / f(f(count) * f(yq.scale))));
    return { ...common, mode: 'spatial', mult: m.multiplier, shift: m.shift, bias };
  }
  if (xq.scale === yq.scale && xq.zeroPoint === yq.zeroPoint) return { ...common, mode: 'same' };
  const scale = f(f(xq.scale) / f(yq.scale));
  return { ...common, mode: 'float', scale, fbias: f(-xq.zeroPoint * scale) };
}

function meanKernel(dtype: KernelDType, t: 'float32' | 'uint8' | 'int8'): Kernel<MeanP> {
  return defineKernel({
    name: `mean_${dtype}_ref`,
    op: 'MEAN',
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) => node.op === 'MEAN' && dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], t),
    prepare: (node: Node, g: Graph): MeanP => ({
      ...prepareMean(node, g), outIndex: reductionMap(inputTensor(g, node, 0).shape, new Set(meanAxes(node, g))),
    }),
    run(p: MeanP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x = inputs[0] as Float32Array | Uint8Array | Int8Array;
      const y = outputs[0] as Float32Array | Uint8Array | Int8Array;
      const sums = new Float64Array(p.outSize);
      for (let k = 0; k < x.length; k++) sums[p.outIndex[k]!]! += x[k]!;
      for (let o = 0; o < p.outSize; o++) y[o] = t === 'float32' ? sums[o]! / p.count : meanOfSum(p, sums[o]!);
    },
  });
}

/** The quantized output for the sum s of one output's inputs (clamped). */
export function meanOfSum(p: MeanArith, s: number): number {
  let v: number;
  if (p.mode === 'spatial') v = multiplyByQuantizedMultiplier(s, p.mult, p.shift) + p.bias;
  else if (p.mode === 'same') v = Math.trunc(s / p.count);
  else v = roundf(f(f(f(f(s) / f(p.count)) * p.scale) + p.fbias)) + p.outZp;
  return v < p.min ? p.min : v > p.max ? p.max : v;
}

/** Float mean over constant axes. */
export const mean_f32_ref = meanKernel('f32', 'float32');
/** uint8 mean (TFLite 2.9 arithmetic per case). */
export const mean_u8_ref = meanKernel('u8', 'uint8');
/** int8 mean (TFLite 2.9 arithmetic per case). */
export const mean_i8_ref = meanKernel('i8', 'int8');
