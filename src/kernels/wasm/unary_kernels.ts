// Float HARD_SWISH (elements split across threads) and SOFTMAX on the WASM kernels.
import type { Graph, Node, NodeOf, TypedArray } from '../../graph/index.js';
import { numElements } from '../../graph/index.js';
import { dtypesAre, inputTensor, outputTensor } from '../common.js';
import { defineKernel, type Kernel, type KernelContext } from '../kernel.js';
import { share } from './context.js';
import { addr, computed, fns, needWasm, tasks, type ExportFns, type Tasks } from './kernel_common.js';

interface HardSwishP {
  t: Tasks;
  n: number;
}

/** Float HARD_SWISH, TFLite's float arithmetic (bit for bit with the reference kernel); elements split across
 * threads. */
export const hardswish_f32_simd128: Kernel<HardSwishP> = defineKernel({
  name: 'hardswish_f32_simd128',
  op: 'HARD_SWISH',
  dtype: 'f32',
  variant: 'simd128',
  wasm: true,
  supports: (node: Node, g: Graph) => node.op === 'HARD_SWISH' &&
    dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], 'float32') && computed(g, [node.inputs[0]!, node.outputs[0]!]),
  prepare(node: Node, g: Graph, ctx?: KernelContext): HardSwishP {
    const w = needWasm(ctx, node);
    const n = numElements(outputTensor(g, node).shape);
    return { t: tasks(w, 'hardswish_f32_run', Math.ceil(n / 4096)), n };
  },
  run(p: HardSwishP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
    const x0 = addr(inputs[0]!), y0 = addr(outputs[0]!);
    const { runner, fn, n } = p.t;
    for (let t = 0; t < n; t++) {
      const [i0, i1] = share(p.n, n, t, 4);
      const a = runner.args(t);
      a[0] = i1 - i0; a[1] = x0 + 4 * i0; a[2] = y0 + 4 * i0;
    }
    runner.run(fn, n);
  },
});

interface SoftmaxP {
  e: ExportFns;
  rows: number;
  depth: number;
  beta: number;
}

/** Float softmax over the last axis, beta > 0. */
export const softmax_f32_simd128: Kernel<SoftmaxP> = defineKernel({
  name: 'softmax_f32_simd128',
  op: 'SOFTMAX',
  dtype: 'f32',
  variant: 'simd128',
  wasm: true,
  supports: (node: Node, g: Graph) => node.op === 'SOFTMAX' && (node as NodeOf<'SOFTMAX'>).attrs.beta > 0 &&
    dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], 'float32') && computed(g, [node.inputs[0]!, node.outputs[0]!]),
  prepare(node: Node, g: Graph, ctx?: KernelContext): SoftmaxP {
    const w = needWasm(ctx, node);
    const s = inputTensor(g, node, 0).shape;
    const depth = s[s.length - 1] ?? 1;
    return { e: fns(w), rows: numElements(s) / depth, depth, beta: (node as NodeOf<'SOFTMAX'>).attrs.beta };
  },
  run(p: SoftmaxP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
    p.e['softmax_f32_run']!(p.rows, p.depth, addr(inputs[0]!), p.beta, addr(outputs[0]!));
  },
});
