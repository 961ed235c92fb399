import type { Graph, Node, TypedArray } from '../graph/index.js';
import { intRange } from '../graph/index.js';
import { inputTensor, kernelDType, nodeLabel, outputTensor, quantOf, roundf } from './common.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from './quant_math.js';

const f = Math.fround;

interface QuantizeP {
  fromFloat: boolean;
  scale: number;
  inZp: number;
  outZp: number;
  mult: number;
  shift: number;
  min: number;
  max: number;
}

function prepare(node: Node, g: Graph): QuantizeP {
  const where = nodeLabel(node);
  const x = inputTensor(g, node, 0);
  const y = outputTensor(g, node);
  const yq = quantOf(y, where);
  const [min, max] = intRange(y.dtype);
  if (x.dtype === 'float32') {
    return { fromFloat: true, scale: f(yq.scale), inZp: 0, outZp: yq.zeroPoint, mult: 0, shift: 0, min, max };
  }
  const xq = quantOf(x, where);
  const m = quantizeMultiplier(xq.scale / yq.scale);
  return { fromFloat: false, scale: 0, inZp: xq.zeroPoint, outZp: yq.zeroPoint, mult: m.multiplier, shift: m.shift, min, max };
}

/** QUANTIZE to uint8/int8: from float (round(x / scale) + zp) or requantizing from another 8-bit type. */
function quantizeKernel(dtype: KernelDType, t: 'uint8' | 'int8'): Kernel<QuantizeP> {
  return defineKernel({
    name: `quantize_${dtype}_ref`,
    op: 'QUANTIZE',
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) => {
      const x = g.tensors[node.inputs[0]!];
      return node.op === 'QUANTIZE' && g.tensors[node.outputs[0]!]?.dtype === t && !!x && kernelDType(x.dtype) !== undefined;
    },
    prepare,
    run(p: QuantizeP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x = inputs[0] as Float32Array | Uint8Array | Int8Array;
      const y = outputs[0] as Uint8Array | Int8Array;
      for (let i = 0; i < x.length; i++) {
        const v = p.fromFloat
          ? roundf(f(x[i]! / p.scale)) + p.outZp
          : multiplyByQuantizedMultiplier(x[i]! - p.inZp, p.mult, p.shift) + p.outZp;
        y[i] = v < p.min ? p.min : v > p.max ? p.max : v;
      }
    },
  });
}

/** Quantize to uint8. */
export const quantize_u8_ref = quantizeKernel('u8', 'uint8');
/** Quantize to int8. */
export const quantize_i8_ref = quantizeKernel('i8', 'int8');
