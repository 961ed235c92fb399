import type { Graph, Node, TypedArray } from '../graph/index.js';
import { inputTensor, nodeLabel, quantOf } from './common.js';
import { defineKernel, type Kernel } from './kernel.js';

interface DequantizeP {
  scale: number;
  zp: number;
}

/** DEQUANTIZE uint8/int8 to float: scale · (q − zp) in float32. */
function dequantizeKernel(dtype: 'u8' | 'i8', t: 'uint8' | 'int8'): Kernel<DequantizeP> {
  return {
    name: `dequantize_${dtype}_ref`,
    op: 'DEQUANTIZE',
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) =>
      node.op === 'DEQUANTIZE' && g.tensors[node.inputs[0]!]?.dtype === t && g.tensors[node.outputs[0]!]?.dtype === 'float32',
    prepare(node: Node, g: Graph): DequantizeP {
      const q = quantOf(inputTensor(g, node, 0), nodeLabel(node));
      return { scale: Math.fround(q.scale), zp: q.zeroPoint };
    },
    run(p: DequantizeP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x = inputs[0] as Uint8Array | Int8Array;
      const y = outputs[0] as Float32Array;
      for (let i = 0; i < x.length; i++) y[i] = p.scale * (x[i]! - p.zp);
    },
  };
}

/** Dequantize uint8. */
export const dequantize_u8_ref = dequantizeKernel('u8', 'uint8');
/** Dequantize int8. */
export const dequantize_i8_ref = dequantizeKernel('i8', 'int8');
