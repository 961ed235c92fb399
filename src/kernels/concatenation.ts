import type { Graph, Node, NodeOf, TypedArray } from '../graph/index.js';
import { activationRangeFloat, activationRangeQuantized, dtypesAre, nodeLabel, outputTensor, quantOf, roundf } from './common.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';

const f = Math.fround;

interface ConcatP {
  /** Elements of each input copied per outer step. */
  sizes: number[];
  outer: number;
  /** Per input: null for a plain copy, else the float32 requantization scale and bias. */
  requant: ({ scale: number; bias: number } | null)[];
  outZp: number;
  lo: number;
  hi: number;
}

function concatKernel(dtype: KernelDType, t: 'float32' | 'uint8' | 'int8'): Kernel<ConcatP> {
  return defineKernel({
    name: `concat_${dtype}_ref`,
    op: 'CONCATENATION',
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) => node.op === 'CONCATENATION' && dtypesAre(g, [...node.inputs, ...node.outputs], t),
    prepare(node: Node, g: Graph): ConcatP {
      const n = node as NodeOf<'CONCATENATION'>;
      const where = nodeLabel(node);
      const y = outputTensor(g, node);
      const axis = n.attrs.axis < 0 ? n.attrs.axis + y.shape.length : n.attrs.axis;
      const outer = y.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const innerOf = (s: number[]): number => s.slice(axis).reduce((a, b) => a * b, 1);
      const sizes = node.inputs.map((i) => innerOf(g.tensors[i]!.shape));
      if (t === 'float32') {
        const [lo, hi] = activationRangeFloat(n.attrs.activation, where);
        return { sizes, outer, requant: sizes.map(() => null), outZp: 0, lo, hi };
      }
      const yq = quantOf(y, where);
      const [lo, hi] = activationRangeQuantized(n.attrs.activation, y.dtype, yq.scale, yq.zeroPoint, where);
      const invOut = f(1 / yq.scale);
      // TFLite ConcatenationWithScaling: inputs with the output's scale and zero point are copied.
      const requant = node.inputs.map((i) => {
        const q = quantOf(g.tensors[i]!, where);
        if (q.scale === yq.scale && q.zeroPoint === yq.zeroPoint) return null;
        const scale = f(q.scale * invOut);
        return { scale, bias: f(-q.zeroPoint * scale) };
      });
      return { sizes, outer, requant, outZp: yq.zeroPoint, lo, hi };
    },
    run(p: ConcatP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const y = outputs[0] as Float32Array | Uint8Array | Int8Array;
      let o = 0;
      for (let k = 0; k < p.outer; k++) {
        for (let i = 0; i < inputs.length; i++) {
          const x = inputs[i] as Float32Array | Uint8Array | Int8Array;
          const n = p.sizes[i]!;
          const rq = p.requant[i];
          for (let j = 0; j < n; j++) {
            const v = x[k * n + j]!;
            const w = rq ? roundf(f(f(v * rq.scale) + rq.bias)) + p.outZp : v;
            y[o++] = w < p.lo ? p.lo : w > p.hi ? p.hi : w;
          }
        }
      }
    },
  });
}

/** Float concatenation. */
export const concat_f32_ref = concatKernel('f32', 'float32');
/** uint8 concatenation (requantizing inputs whose scale differs). */
export const concat_u8_ref = concatKernel('u8', 'uint8');
/** int8 concatenation. */
export const concat_i8_ref = concatKernel('i8', 'int8');
