// DEPTHWISE_CONV_2D 3x3 and 5x5 (depth multiplier 1, no dilation, equal strides) on the WASM kernels; output rows
// split across threads.
import type { Graph, Node, NodeOf, TypedArray } from '../../graph/index.js';
import { activationRangeFloat, dtypesAre, inputTensor, nodeLabel, outputTensor, padBefore, tensorDType } from '../common.js';
import { convQuant, floatBias } from '../conv_quant.js';
import { defineKernel, type Kernel, type KernelContext, type KernelDType } from '../kernel.js';
import { share } from './context.js';
import { addr, computed, fns, needWasm, tasks, uniform, type Tasks } from './kernel_common.js';

interface DwP {
  t: Tasks;
  packed: number;
  scratch: number[];
  batch: number; h: number; w: number; c: number; oh: number; ow: number;
  stride: number; padTop: number; padLeft: number; es: number;
}

function dwconv(size: 3 | 5, dt: KernelDType): Kernel<DwP> {
  const t = tensorDType(dt);
  const fn = `dwconv${size}x${size}_${dt}`;
  return defineKernel({
    name: `${fn}_simd128`,
    op: 'DEPTHWISE_CONV_2D',
    dtype: dt,
    variant: 'simd128',
    wasm: true,
    supports(node: Node, g: Graph): boolean {
      if (node.op !== 'DEPTHWISE_CONV_2D') return false;
      const q = dt !== 'f32';
      if (!dtypesAre(g, [node.inputs[0]!, node.inputs[1]!, node.outputs[0]!], t)) return false;
      if (!dtypesAre(g, [node.inputs[2] ?? -1], q ? 'int32' : 'float32')) return false;
      if (!computed(g, [node.inputs[0]!, node.outputs[0]!])) return false;
      const a = (node as NodeOf<'DEPTHWISE_CONV_2D'>).attrs;
      const w = inputTensor(g, node, 1);
      const b = node.inputs[2] ?? -1;
      if (!w.data || (b >= 0 && !g.tensors[b]!.data)) return false;
      if (q && !(w.quant && uniform(w.quant.zeroPoint))) return false;
      const xs = inputTensor(g, node, 0).shape;
      const ys = outputTensor(g, node).shape;
      return w.shape[1] === size && w.shape[2] === size && xs[3] === ys[3] && a.strideH === a.strideW &&
        a.dilationH === 1 && a.dilationW === 1;
    },
    prepare(node: Node, g: Graph, ctx?: KernelContext): DwP {
      const w = needWasm(ctx, node);
      const e = fns(w);
      const a = (node as NodeOf<'DEPTHWISE_CONV_2D'>).attrs;
      const [batch, h, wd, c] = inputTensor(g, node, 0).shape as [number, number, number, number];
      const [, oh, ow] = outputTensor(g, node).shape as [number, number, number];
      const packed = w.heap.alloc(e[`${fn}_packed_size`]!(c));
      const mark = w.heap.end;
      const filter = w.heap.put(inputTensor(g, node, 1).data as TypedArray);
      if (dt === 'f32') {
        const [lo, hi] = activationRangeFloat(a.activation, nodeLabel(node));
        e[`${fn}_pack`]!(c, filter, w.heap.put(floatBias(node, g, c)), lo, hi, packed);
      } else {
        const q = convQuant(node, g, c, a.activation);
        e[`${fn}_pack`]!(c, filter, w.heap.put(q.bias), -q.inputOffset, q.filterZeroPoint[0]!, w.heap.put(q.multiplier),
          w.heap.put(q.shift), q.outputOffset, q.actMin, q.actMax, packed);
      }
      w.heap.release(mark);
      const tk = tasks(w, `${fn}_run_rows`, oh);
      const es = dt === 'f32' ? 4 : 1;
      const scratch = Array.from({ length: tk.n }, () => w.heap.alloc((c + 16) * es));
      return {
        t: tk, packed, scratch, batch, h, w: wd, c, oh, ow, stride: a.strideH,
        padTop: padBefore(a.strideH, 1, h, size, oh), padLeft: padBefore(a.strideW, 1, wd, size, ow), es,
      };
    },
    run(p: DwP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const { runner, fn: f, n } = p.t;
      for (let b = 0; b < p.batch; b++) {
        const x = addr(inputs[0]!) + b * p.h * p.w * p.c * p.es;
        const y = addr(outputs[0]!) + b * p.oh * p.ow * p.c * p.es;
        for (let t = 0; t < n; t++) {
          const [r0, r1] = share(p.oh, n, t);
          const a = runner.args(t);
          a[0] = x; a[1] = p.h; a[2] = p.w; a[3] = r0; a[4] = r1; a[5] = p.ow; a[6] = p.stride; a[7] = p.padTop;
          a[8] = p.padLeft; a[9] = p.packed; a[10] = y; a[11] = p.scratch[t]!;
        }
        runner.run(f, n);
      }
    },
  });
}

export const dwconv3x3_u8_simd128 = dwconv(3, 'u8');
export const dwconv3x3_i8_simd128 = dwconv(3, 'i8');
export const dwconv3x3_f32_simd128 = dwconv(3, 'f32');
export const dwconv5x5_u8_simd128 = dwconv(5, 'u8');
export const dwconv5x5_i8_simd128 = dwconv(5, 'i8');
export const dwconv5x5_f32_simd128 = dwconv(5, 'f32');
