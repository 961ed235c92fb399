import type { Graph, Node, NodeOf, TypedArray } from '../graph/index.js';
import { intRange } from '../graph/index.js';
import { dtypesAre, inputTensor, nodeLabel, outputTensor, quantOf } from './common.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';

const f = Math.fround;

interface SoftmaxF32 {
  depth: number;
  beta: number;
  /** One row's exponentials. */
  e: Float64Array;
}

function lastDim(node: Node, g: Graph): number {
  const s = inputTensor(g, node, 0).shape;
  return s[s.length - 1] ?? 1;
}

/** Float softmax over the last axis. */
export const softmax_f32_ref: Kernel<SoftmaxF32> = defineKernel({
  name: 'softmax_f32_ref',
  op: 'SOFTMAX',
  dtype: 'f32',
  variant: 'ref',
  supports: (node: Node, g: Graph) => node.op === 'SOFTMAX' && dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], 'float32'),
  prepare: (node: Node, g: Graph) => {
    const depth = lastDim(node, g);
    return { depth, beta: (node as NodeOf<'SOFTMAX'>).attrs.beta, e: new Float64Array(depth) };
  },
  run(p: SoftmaxF32, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
    const x = inputs[0] as Float32Array;
    const y = outputs[0] as Float32Array;
    const e = p.e;
    for (let r = 0; r < x.length; r += p.depth) {
      let max = -Infinity;
      for (let j = 0; j < p.depth; j++) max = Math.max(max, x[r + j]!);
      let sum = 0;
      for (let j = 0; j < p.depth; j++) sum += e[j] = Math.exp((x[r + j]! - max) * p.beta);
      for (let j = 0; j < p.depth; j++) y[r + j] = e[j]! / sum;
    }
  },
});

/**
 * TFLite's optimized 8-bit softmax: a 256-entry float32 table of exp(−scale·β·d) for each distance d
 * from the row maximum, float32 sums, and rounding of prob / output scale.
 */
interface SoftmaxQ {
  depth: number;
  table: Float32Array;
  outScale: number;
  outZp: number;
  min: number;
  max: number;
  /** uint8 outputs use (int)(v + 0.5f) off ARM64; others std::round. */
  truncHalf: boolean;
}

function prepareQ(node: Node, g: Graph): SoftmaxQ {
  const where = nodeLabel(node);
  const xq = quantOf(inputTensor(g, node, 0), where);
  const y = outputTensor(g, node);
  const yq = quantOf(y, where);
  const scale = f(-f(xq.scale) * f((node as NodeOf<'SOFTMAX'>).attrs.beta));
  const table = new Float32Array(256);
  for (let v = 0; v <= 255; v++) table[255 - v] = f(Math.exp(f(scale * v)));
  const [min, max] = intRange(y.dtype);
  return { depth: lastDim(node, g), table, outScale: f(yq.scale), outZp: yq.zeroPoint, min, max, truncHalf: y.dtype === 'uint8' };
}

function runQ(p: SoftmaxQ, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
  const x = inputs[0] as Uint8Array | Int8Array;
  const y = outputs[0] as Uint8Array | Int8Array;
  const { table, depth } = p;
  for (let r = 0; r < x.length; r += depth) {
    let maxVal = -Infinity;
    for (let j = 0; j < depth; j++) if (x[r + j]! > maxVal) maxVal = x[r + j]!;
    const off = 255 - maxVal;
    let sum = 0;
    for (let j = 0; j < depth; j++) sum = f(sum + table[off + x[r + j]!]!);
    const inv = f(1 / f(sum * p.outScale));
    for (let j = 0; j < depth; j++) {
      const prob = f(table[off + x[r + j]!]! * inv);
      const q = p.truncHalf ? Math.trunc(f(prob + 0.5)) + p.outZp : roundHalfAway(prob) + p.outZp;
      y[r + j] = q < p.min ? p.min : q > p.max ? p.max : q;
    }
  }
}

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function quantKernel(dtype: KernelDType, t: 'uint8' | 'int8'): Kernel<SoftmaxQ> {
  return defineKernel({
    name: `softmax_${dtype}_ref`,
    op: 'SOFTMAX',
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) => node.op === 'SOFTMAX' && dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], t),
    prepare: prepareQ,
    run: runQ,
  });
}

/** uint8 softmax (TFLite optimized table variant). */
export const softmax_u8_ref = quantKernel('u8', 'uint8');
/** int8 softmax (TFLite optimized table variant). */
export const softmax_i8_ref = quantKernel('i8', 'int8');
