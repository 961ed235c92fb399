import type { Graph, Node, TypedArray } from '../graph/index.js';
import { UnsupportedError } from '../errors.js';
import { dtypesAre, inputTensor, nodeLabel, outputTensor } from './common.js';
import { constData } from './conv_quant.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';

interface PadP {
  inShape: number[];
  outShape: number[];
  before: number[];
  value: number;
}

/** Constant padding; the pad value is 0 for float and the output zero point for quantized tensors. */
function padKernel(dtype: KernelDType, t: 'float32' | 'uint8' | 'int8'): Kernel<PadP> {
  return defineKernel({
    name: `pad_${dtype}_ref`,
    op: 'PAD',
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) => node.op === 'PAD' && dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], t),
    prepare(node: Node, g: Graph): PadP {
      const x = inputTensor(g, node, 0);
      const y = outputTensor(g, node);
      const p = constData(node, g, 1, 'paddings');
      const before = x.shape.map((_, i) => Number(p[2 * i]));
      const value = t === 'float32' ? 0 : (y.quant?.zeroPoint[0] ?? 0);
      if (t !== 'float32' && x.quant && y.quant && (x.quant.scale[0] !== y.quant.scale[0] || x.quant.zeroPoint[0] !== value)) {
        throw new UnsupportedError(`${nodeLabel(node)}: input and output quantization differ`);
      }
      return { inShape: x.shape, outShape: y.shape, before, value };
    },
    run(p: PadP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x = inputs[0] as Float32Array | Uint8Array | Int8Array;
      const y = outputs[0] as Float32Array | Uint8Array | Int8Array;
      y.fill(p.value);
      const r = p.inShape.length;
      if (x.length === 0) return;
      const outStrides = new Array<number>(r).fill(1);
      for (let i = r - 2; i >= 0; i--) outStrides[i] = outStrides[i + 1]! * p.outShape[i + 1]!;
      const inner = p.inShape[r - 1] ?? 1;
      const idx = new Array<number>(r).fill(0);
      for (let src = 0; src < x.length; src += inner) {
        let dst = 0;
        for (let i = 0; i < r; i++) dst += (idx[i]! + p.before[i]!) * outStrides[i]!;
        for (let k = 0; k < inner; k++) y[dst + k] = x[src + k]!;
        for (let i = r - 2; i >= 0; i--) {
          if (++idx[i]! < p.inShape[i]!) break;
          idx[i] = 0;
        }
      }
    },
  });
}

/** Float pad. */
export const pad_f32_ref = padKernel('f32', 'float32');
/** uint8 pad. */
export const pad_u8_ref = padKernel('u8', 'uint8');
/** int8 pad. */
export const pad_i8_ref = padKernel('i8', 'int8');
