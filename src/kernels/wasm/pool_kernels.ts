// Pooling over the whole image on the WASM kernels: AVERAGE_POOL_2D (u8, i8, f32) and MEAN over height and width
// (8-bit: sums in WASM, the reference arithmetic per channel; float: the average pooling kernel).
import type { Graph, Node, NodeOf, TypedArray } from '../../graph/index.js';
import { avgpool_f32_ref, avgpool_i8_ref, avgpool_u8_ref } from '../average_pool2d.js';
import { dtypesAre, inputTensor, outputTensor, tensorDType } from '../common.js';
import { defineKernel, type Kernel, type KernelContext, type KernelDType } from '../kernel.js';
import { meanOfSum, prepareMean, type MeanArith } from '../mean.js';
import { addr, computed, fns, needWasm, type ExportFns } from './kernel_common.js';

interface PoolP {
  e: ExportFns;
  pixels: number;
  channels: number;
  lo: number;
  hi: number;
  acc: number;
}

function gavgpool(dt: KernelDType): Kernel<PoolP> {
  const t = tensorDType(dt);
  const ref = dt === 'f32' ? avgpool_f32_ref : dt === 'u8' ? avgpool_u8_ref : avgpool_i8_ref;
  const fn = `gavgpool_${dt}_run`;
  return defineKernel({
    name: `gavgpool_${dt}_simd128`,
    op: 'AVERAGE_POOL_2D',
    dtype: dt,
    variant: 'simd128',
    wasm: true,
    supports(node: Node, g: Graph): boolean {
      if (node.op !== 'AVERAGE_POOL_2D' || !dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], t)) return false;
      if (!computed(g, [node.inputs[0]!, node.outputs[0]!])) return false;
      const a = (node as NodeOf<'AVERAGE_POOL_2D'>).attrs;
      const xs = inputTensor(g, node, 0).shape;
      const ys = outputTensor(g, node).shape;
      return xs[0] === 1 && a.filterH === xs[1] && a.filterW === xs[2] && ys[1] === 1 && ys[2] === 1;
    },
    prepare(node: Node, g: Graph, ctx?: KernelContext): PoolP {
      const w = needWasm(ctx, node);
      const { lo, hi } = ref.prepare(node, g);
      const xs = inputTensor(g, node, 0).shape;
      const channels = xs[3]!;
      return { e: fns(w), pixels: xs[1]! * xs[2]!, channels, lo, hi, acc: dt === 'f32' ? 0 : w.heap.alloc((channels + 8) * 4) };
    },
    run(p: PoolP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      p.e[fn]!(p.pixels, p.channels, addr(inputs[0]!), p.lo, p.hi, addr(outputs[0]!), p.acc);
    },
  });
}

interface MeanWasmP {
  e: ExportFns;
  p: MeanArith;
  pixels: number;
  channels: number;
  /** channels + 8 int32: the sums (8-bit only). */
  acc: number;
  memory: WebAssembly.Memory;
  sums?: Int32Array;
}

/** MEAN over height and width of one image (the pooling of TF2 and Keras models): 8-bit, the per-channel sums in
 * WASM, then TFLite's arithmetic of the reference kernel on each sum; float, the global average pooling kernel
 * (float32 sums). */
function mean(dt: 'u8' | 'i8' | 'f32'): Kernel<MeanWasmP> {
  const t = tensorDType(dt);
  return defineKernel({
    name: `mean_${dt}_simd128`,
    op: 'MEAN',
    dtype: dt,
    variant: 'simd128',
    wasm: true,
    supports(node: Node, g: Graph): boolean {
      if (node.op !== 'MEAN' || !dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], t)) return false;
      if (!computed(g, [node.inputs[0]!, node.outputs[0]!])) return false;
      const xs = inputTensor(g, node, 0).shape;
      const axes = g.tensors[node.inputs[1]!]?.data as ArrayLike<number> | undefined;
      if (xs.length !== 4 || xs[0] !== 1 || !axes) return false;
      const set = new Set(Array.from(axes, (a) => (a < 0 ? a + 4 : a)));
      return set.size === 2 && set.has(1) && set.has(2);
    },
    prepare(node: Node, g: Graph, ctx?: KernelContext): MeanWasmP {
      const w = needWasm(ctx, node);
      const xs = inputTensor(g, node, 0).shape;
      const channels = xs[3]!;
      return { e: fns(w), p: prepareMean(node, g), pixels: xs[1]! * xs[2]!, channels,
        acc: dt === 'f32' ? 0 : w.heap.alloc((channels + 8) * 4), memory: w.kernels.memory };
    },
    run(p: MeanWasmP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      if (dt === 'f32') {
        p.e['gavgpool_f32_run']!(p.pixels, p.channels, addr(inputs[0]!), -Infinity, Infinity, addr(outputs[0]!));
        return;
      }
      p.e[`gavgpool_${dt}_sums`]!(p.pixels, p.channels, addr(inputs[0]!), p.acc);
      if (p.sums?.buffer !== p.memory.buffer) p.sums = new Int32Array(p.memory.buffer, p.acc, p.channels);
      const y = outputs[0]!;
      for (let c = 0; c < p.channels; c++) y[c] = meanOfSum(p.p, p.sums[c]!);
    },
  });
}

export const gavgpool_u8_simd128 = gavgpool('u8');
export const gavgpool_i8_simd128 = gavgpool('i8');
export const gavgpool_f32_simd128 = gavgpool('f32');
export const mean_u8_simd128 = mean('u8');
export const mean_i8_simd128 = mean('i8');
export const mean_f32_simd128 = mean('f32');
