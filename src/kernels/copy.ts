import type { Graph, Node, OpName, TypedArray } from '../graph/index.js';
import { dtypesAre } from './common.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';

/** A kernel that copies its first input unchanged (shape-only ops: RESHAPE, SQUEEZE). */
export function copyKernel(op: OpName, short: string, dtype: KernelDType, t: 'float32' | 'uint8' | 'int8'): Kernel<null> {
  return defineKernel({
    name: `${short}_${dtype}_ref`,
    op,
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) => node.op === op && dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], t),
    prepare: () => null,
    run(_p: null, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      (outputs[0] as Uint8Array).set(inputs[0] as Uint8Array);
    },
  });
}
