import type { Graph, Node, OpName, TypedArray } from '../graph/index.js';
import { dtypesAre } from './common.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';

/** Builds an elementwise kernel y[i] = f(p, x[i]) with input and output of dtype `t`. */
export function unaryKernel<P>(
  op: OpName,
  short: string,
  dtype: KernelDType,
  t: 'float32' | 'uint8' | 'int8',
  prepare: (node: Node, g: Graph) => P,
  f: (p: P, x: number) => number,
): Kernel<P> {
  return defineKernel({
    name: `${short}_${dtype}_ref`,
    op,
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) => node.op === op && dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], t),
    prepare,
    run(p: P, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x = inputs[0] as Float32Array | Uint8Array | Int8Array;
      const y = outputs[0] as Float32Array | Uint8Array | Int8Array;
      for (let i = 0; i < x.length; i++) y[i] = f(p, x[i]!);
    },
  });
}

/** A 256-entry table kernel for 8-bit ops: y = table[x & 0xff]. */
export function lutKernel(
  op: OpName,
  short: string,
  dtype: 'u8' | 'i8',
  t: 'uint8' | 'int8',
  table: (node: Node, g: Graph) => Uint8Array,
): Kernel<Uint8Array> {
  return unaryKernel(op, short, dtype, t, table, (p, x) => p[x & 0xff]!);
}
