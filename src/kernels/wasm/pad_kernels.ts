// PAD of an NHWC image on height and width (what PyTorch's symmetric padding of stride-2 convolutions becomes) on
// the WASM kernels: whole rows copied and filled, output rows split across threads.
import type { Graph, Node, TypedArray } from '../../graph/index.js';
import { dtypesAre, inputTensor, outputTensor, tensorDType } from '../common.js';
import { defineKernel, type Kernel, type KernelContext, type KernelDType } from '../kernel.js';
import { share } from './context.js';
import { addr, computed, needWasm, tasks, type Tasks } from './kernel_common.js';

interface PadP {
  t: Tasks;
  batch: number; h: number; w: number; oh: number; ow: number; top: number; left: number;
  /** Bytes per pixel. */
  px: number;
  /** The pad byte: 0 for float, the zero point for 8-bit. */
  value: number;
}

/** Paddings [[n0,n1],[h0,h1],[w0,w1],[c0,c1]] of a 4-D PAD node if only height and width are padded. */
function hwPaddings(node: Node, g: Graph): number[] | undefined {
  const p = g.tensors[node.inputs[1]!]?.data;
  if (!p || p.length !== 8 || inputTensor(g, node, 0).shape.length !== 4) return undefined;
  const v = Array.from(p as ArrayLike<number | bigint>, Number);
  return v[0] === 0 && v[1] === 0 && v[6] === 0 && v[7] === 0 && v.every((x) => x >= 0) ? v : undefined;
}

function pad(dt: KernelDType): Kernel<PadP> {
  const t = tensorDType(dt);
  return defineKernel({
    name: `pad_${dt}_simd128`,
    op: 'PAD',
    dtype: dt,
    variant: 'simd128',
    wasm: true,
    supports(node: Node, g: Graph): boolean {
      if (node.op !== 'PAD' || !dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], t)) return false;
      if (!computed(g, [node.inputs[0]!, node.outputs[0]!]) || !hwPaddings(node, g)) return false;
      if (dt === 'f32') return true;
      // Same quantization in and out (else the reference kernel reports it).
      const xq = inputTensor(g, node, 0).quant, yq = outputTensor(g, node).quant;
      return !!xq && !!yq && xq.scale[0] === yq.scale[0] && xq.zeroPoint[0] === yq.zeroPoint[0];
    },
    prepare(node: Node, g: Graph, ctx?: KernelContext): PadP {
      const w = needWasm(ctx, node);
      const [batch, h, wd, c] = inputTensor(g, node, 0).shape as [number, number, number, number];
      const [, oh, ow] = outputTensor(g, node).shape as [number, number, number];
      const p = hwPaddings(node, g)!;
      const value = dt === 'f32' ? 0 : (outputTensor(g, node).quant!.zeroPoint[0]! & 0xff);
      return {
        t: tasks(w, 'pad_hw_run', Math.ceil((oh * ow * c) / 16384)), batch, h, w: wd, oh, ow, top: p[2]!, left: p[4]!,
        px: c * (dt === 'f32' ? 4 : 1), value,
      };
    },
    run(p: PadP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const { runner, fn, n } = p.t;
      for (let b = 0; b < p.batch; b++) {
        const x = addr(inputs[0]!) + b * p.h * p.w * p.px, y = addr(outputs[0]!) + b * p.oh * p.ow * p.px;
        for (let k = 0; k < n; k++) {
          const [r0, r1] = share(p.oh, n, k);
          const a = runner.args(k);
          a[0] = x; a[1] = p.h; a[2] = p.w; a[3] = p.px; a[4] = p.top; a[5] = p.left; a[6] = p.oh; a[7] = p.ow;
          a[8] = p.value; a[9] = y; a[10] = r0; a[11] = r1;
        }
        runner.run(fn, n);
      }
    },
  });
}

export const pad_u8_simd128 = pad('u8');
export const pad_i8_simd128 = pad('i8');
export const pad_f32_simd128 = pad('f32');
