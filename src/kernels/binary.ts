import type { Graph, Node, NodeOf, OpName, TypedArray } from '../graph/index.js';
import { activationRangeFloat, activationRangeQuantized, dtypesAre, inputTensor, nodeLabel, outputTensor, quantOf } from './common.js';
import { broadcastIndices } from './broadcast.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';

/** Shared preparation of a broadcasting binary op: index maps and clamp range. */
export interface BinaryBase {
  n: number;
  ia: Int32Array | null;
  ib: Int32Array | null;
  lo: number;
  hi: number;
}

type BinaryOp = 'ADD' | 'SUB' | 'MUL';

/** Index maps and activation range of a binary node. */
export function prepareBinary(node: Node, g: Graph): BinaryBase {
  const a = inputTensor(g, node, 0);
  const b = inputTensor(g, node, 1);
  const y = outputTensor(g, node);
  const { ia, ib } = broadcastIndices(a.shape, b.shape, y.shape);
  const act = (node as NodeOf<BinaryOp>).attrs.activation;
  const where = nodeLabel(node);
  let range: [number, number];
  if (y.dtype === 'float32') {
    range = activationRangeFloat(act, where);
  } else {
    const q = quantOf(y, where);
    range = activationRangeQuantized(act, y.dtype, q.scale, q.zeroPoint, where);
  }
  let n = 1;
  for (const d of y.shape) n *= d;
  return { n, ia, ib, lo: range[0], hi: range[1] };
}

/** Builds a broadcasting binary kernel from a per-element function of the two raw input values. */
export function binaryKernel<P extends BinaryBase>(
  op: OpName,
  short: string,
  dtype: KernelDType,
  t: 'float32' | 'uint8' | 'int8',
  prepare: (node: Node, g: Graph) => P,
  f: (p: P, a: number, b: number) => number,
): Kernel<P> {
  return defineKernel({
    name: `${short}_${dtype}_ref`,
    op,
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) => node.op === op && dtypesAre(g, [...node.inputs, ...node.outputs], t),
    prepare,
    run(p: P, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const a = inputs[0] as Float32Array | Uint8Array | Int8Array;
      const b = inputs[1] as Float32Array | Uint8Array | Int8Array;
      const y = outputs[0] as Float32Array | Uint8Array | Int8Array;
      const { ia, ib, lo, hi } = p;
      for (let k = 0; k < p.n; k++) {
        const v = f(p, a[ia ? ia[k]! : k]!, b[ib ? ib[k]! : k]!);
        y[k] = v < lo ? lo : v > hi ? hi : v;
      }
    },
  });
}

/** TFLite's quantized ADD/SUB rescaling: both inputs to a common scale with 20 bits of headroom. */
export interface AddQuant extends BinaryBase {
  in1Offset: number;
  in2Offset: number;
  outOffset: number;
  leftShift: number;
  in1Mult: number;
  in1Shift: number;
  in2Mult: number;
  in2Shift: number;
  outMult: number;
  outShift: number;
}

/** Scalar per-tensor quantization of the two inputs and the output of a binary node. */
export function binaryQuant(node: Node, g: Graph) {
  const where = nodeLabel(node);
  return {
    a: quantOf(inputTensor(g, node, 0), where),
    b: quantOf(inputTensor(g, node, 1), where),
    y: quantOf(outputTensor(g, node), where),
  };
}
