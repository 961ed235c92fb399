// CONV_2D and FULLY_CONNECTED on the WASM GEMM: 1x1 convolutions and fully connected layers as one GEMM over the
// pixels (rows split across threads), other convolutions (the stem) as im2col rows + GEMM, or directly for float
// (output rows split).
import type { DType, Graph, Node, NodeOf, TypedArray } from '../../graph/index.js';
import { numElements } from '../../graph/index.js';
import { activationRangeFloat, dtypesAre, inputTensor, nodeLabel, outputTensor, padBefore, tensorDType } from '../common.js';
import { convQuant, floatBias } from '../conv_quant.js';
import { defineKernel, type Kernel, type KernelContext, type KernelDType } from '../kernel.js';
import { share, type WasmContext } from './context.js';
import { addr, computed, fns, needWasm, taskScratch, tasks, uniform, type TaskScratch, type Tasks } from './kernel_common.js';

/** Packs filter [n][k] (OHWI flattened) and bias for the GEMM of that dtype; returns the packed address. */
function packGemm(node: Node, g: Graph, ctx: KernelContext | undefined, dt: KernelDType, k: number, n: number): number {
  const w = needWasm(ctx, node);
  const e = fns(w);
  const gemm = `gemm_${dt}_4x8`;
  const packed = w.heap.alloc(e[`${gemm}_packed_size`]!(k, n));
  const mark = w.heap.end;
  const filter = inputTensor(g, node, 1).data as TypedArray;
  const act = (node as NodeOf<'CONV_2D' | 'FULLY_CONNECTED'>).attrs.activation;
  if (dt === 'f32') {
    const [lo, hi] = activationRangeFloat(act, nodeLabel(node));
    e[`${gemm}_pack`]!(k, n, w.heap.put(filter), w.heap.put(floatBias(node, g, n)), lo, hi, packed);
  } else {
    const q = convQuant(node, g, n, act);
    e[`${gemm}_pack`]!(k, n, w.heap.put(filter), w.heap.put(q.bias), -q.inputOffset, q.filterZeroPoint[0]!,
      w.heap.put(q.multiplier), w.heap.put(q.shift), q.outputOffset, q.actMin, q.actMax, packed);
  }
  w.heap.release(mark);
  return packed;
}

function gemmSupports(node: Node, g: Graph, t: DType): boolean {
  const q = t !== 'float32';
  if (!dtypesAre(g, [node.inputs[0]!, node.inputs[1]!, node.outputs[0]!], t)) return false;
  if (!dtypesAre(g, [node.inputs[2] ?? -1], q ? 'int32' : 'float32')) return false;
  if (!computed(g, [node.inputs[0]!, node.outputs[0]!])) return false;
  const w = inputTensor(g, node, 1);
  const b = node.inputs[2] ?? -1;
  if (!w.data || (b >= 0 && !g.tensors[b]!.data)) return false;
  return !q || (w.quant !== undefined && uniform(w.quant.zeroPoint));
}

interface GemmP {
  t: Tasks;
  /** Split output channel blocks instead of rows (few rows, several threads: each thread reads only its weights). */
  cols: boolean;
  packed: number;
  m: number;
  k: number;
  n: number;
  es: number;
  scratch: TaskScratch;
}

/** Rows below which a threaded GEMM may split output channels instead. */
const FEW_ROWS = 64;

/** The task plan of a GEMM of m x k by k x n, with its scratch reserved. */
function gemmTasks(w: WasmContext, dt: KernelDType, m: number, k: number, n: number): { t: Tasks; cols: boolean; scratch: TaskScratch } {
  const blocks = Math.ceil(n / 8);
  // Each quantized column task widens all m rows again: worth it only for a wide output (or too few rows to split).
  const cols = w.runner.threads > 1 && blocks >= 2 && (m < 16 || (m < FEW_ROWS && (dt === 'f32' || blocks >= 40)));
  const scratch = taskScratch(w);
  scratch.reserve(fns(w)[`gemm_${dt}_4x8_scratch_size`]!(m, k));
  return cols
    ? { t: tasks(w, `gemm_${dt}_4x8_run_cols`, Math.ceil(blocks / 2)), cols, scratch }
    : { t: tasks(w, `gemm_${dt}_4x8_run`, Math.ceil(m / 8)), cols, scratch };
}

function runGemm(p: GemmP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
  const x = addr(inputs[0]!), y = addr(outputs[0]!);
  const { runner, fn, n } = p.t;
  if (p.cols) {
    const blocks = Math.ceil(p.n / 8);
    for (let t = 0; t < n; t++) {
      const [b0, b1] = share(blocks, n, t);
      const a = runner.args(t);
      a[0] = p.m; a[1] = x; a[2] = p.k; a[3] = p.packed; a[4] = y; a[5] = p.n; a[6] = b0; a[7] = b1;
      a[8] = p.scratch.addr(t);
    }
    runner.run(fn, n);
    return;
  }
  for (let t = 0; t < n; t++) {
    const [m0, m1] = share(p.m, n, t, 4);
    const a = runner.args(t);
    a[0] = m1 - m0; a[1] = x + m0 * p.k * p.es; a[2] = p.k; a[3] = p.packed; a[4] = y + m0 * p.n * p.es; a[5] = p.n;
    a[6] = p.scratch.addr(t);
  }
  runner.run(fn, n);
}

function conv1x1(dt: KernelDType): Kernel<GemmP> {
  const t = tensorDType(dt);
  return defineKernel({
    name: `conv1x1_${dt}_gemm4x8_simd128`,
    op: 'CONV_2D',
    dtype: dt,
    variant: 'gemm4x8_simd128',
    wasm: true,
    supports(node: Node, g: Graph): boolean {
      if (node.op !== 'CONV_2D' || !gemmSupports(node, g, t)) return false;
      const a = (node as NodeOf<'CONV_2D'>).attrs;
      const ws = inputTensor(g, node, 1).shape;
      return ws[1] === 1 && ws[2] === 1 && a.strideH === 1 && a.strideW === 1;
    },
    prepare(node: Node, g: Graph, ctx?: KernelContext): GemmP {
      const w = needWasm(ctx, node);
      const x = inputTensor(g, node, 0).shape;
      const k = x[3]!, n = outputTensor(g, node).shape[3]!;
      const m = numElements(x) / k;
      return { ...gemmTasks(w, dt, m, k, n), packed: packGemm(node, g, ctx, dt, k, n), m, k, n, es: dt === 'f32' ? 4 : 1 };
    },
    run: runGemm,
  });
}

function fullyConnected(dt: KernelDType): Kernel<GemmP> {
  const t = tensorDType(dt);
  return defineKernel({
    name: `fc_${dt}_gemm4x8_simd128`,
    op: 'FULLY_CONNECTED',
    dtype: dt,
    variant: 'gemm4x8_simd128',
    wasm: true,
    supports: (node: Node, g: Graph) => node.op === 'FULLY_CONNECTED' && gemmSupports(node, g, t) &&
      inputTensor(g, node, 1).shape.length === 2,
    prepare(node: Node, g: Graph, ctx?: KernelContext): GemmP {
      const w = needWasm(ctx, node);
      const [n, k] = inputTensor(g, node, 1).shape as [number, number];
      const m = numElements(inputTensor(g, node, 0).shape) / k;
      return { ...gemmTasks(w, dt, m, k, n), packed: packGemm(node, g, ctx, dt, k, n), m, k, n, es: dt === 'f32' ? 4 : 1 };
    },
    run: runGemm,
  });
}

interface FullConvP {
  t: Tasks;
  packed: number;
  scratch: TaskScratch;
  batch: number; h: number; w: number; cin: number; kh: number; kw: number; oh: number; ow: number; cout: number;
  stride: number; padTop: number; padLeft: number; es: number;
}

/** Quantized: im2col rows + the GEMM; float: straight from the input rows (conv_f32_direct_simd128.c). */
function convFull(dt: KernelDType): Kernel<FullConvP> {
  const t = tensorDType(dt);
  const fn = dt === 'f32' ? 'conv_f32_direct' : `conv_${dt}_im2col`;
  const variant = dt === 'f32' ? 'direct4x8_simd128' : 'im2col_gemm4x8_simd128';
  return defineKernel({
    name: `conv_${dt}_${variant}`,
    op: 'CONV_2D',
    dtype: dt,
    variant,
    wasm: true,
    supports(node: Node, g: Graph): boolean {
      if (node.op !== 'CONV_2D' || !gemmSupports(node, g, t)) return false;
      const a = (node as NodeOf<'CONV_2D'>).attrs;
      return a.strideH === a.strideW && a.dilationH === 1 && a.dilationW === 1;
    },
    prepare(node: Node, g: Graph, ctx?: KernelContext): FullConvP {
      const w = needWasm(ctx, node);
      const a = (node as NodeOf<'CONV_2D'>).attrs;
      const [batch, h, wd, cin] = inputTensor(g, node, 0).shape as [number, number, number, number];
      const [cout, kh, kw] = inputTensor(g, node, 1).shape as [number, number, number];
      const [, oh, ow] = outputTensor(g, node).shape as [number, number, number];
      const es = dt === 'f32' ? 4 : 1;
      const tk = tasks(w, `${fn}_run_rows`, oh);
      const scratch = taskScratch(w);
      scratch.reserve(fns(w)[`${fn}_scratch_size`]!(kh, kw, cin, ow, a.strideH));
      return {
        t: tk, packed: packGemm(node, g, ctx, dt, kh * kw * cin, cout), scratch, batch, h, w: wd, cin, kh, kw, oh, ow,
        cout, stride: a.strideH, padTop: padBefore(a.strideH, 1, h, kh, oh), padLeft: padBefore(a.strideW, 1, wd, kw, ow), es,
      };
    },
    run(p: FullConvP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const { runner, fn: f, n } = p.t;
      for (let b = 0; b < p.batch; b++) {
        const x = addr(inputs[0]!) + b * p.h * p.w * p.cin * p.es;
        const y = addr(outputs[0]!) + b * p.oh * p.ow * p.cout * p.es;
        for (let t = 0; t < n; t++) {
          const [r0, r1] = share(p.oh, n, t);
          const a = runner.args(t);
          a[0] = x; a[1] = p.h; a[2] = p.w; a[3] = p.cin; a[4] = p.kh; a[5] = p.kw; a[6] = r0; a[7] = r1; a[8] = p.ow;
          a[9] = p.stride; a[10] = p.padTop; a[11] = p.padLeft; a[12] = p.packed; a[13] = y; a[14] = p.scratch.addr(t);
        }
        runner.run(f, n);
      }
    },
  });
}

export const conv1x1_u8_gemm4x8_simd128 = conv1x1('u8');
export const conv1x1_i8_gemm4x8_simd128 = conv1x1('i8');
export const conv1x1_f32_gemm4x8_simd128 = conv1x1('f32');
export const conv_u8_im2col_gemm4x8_simd128 = convFull('u8');
export const conv_i8_im2col_gemm4x8_simd128 = convFull('i8');
export const conv_f32_direct4x8_simd128 = convFull('f32');
export const fc_u8_gemm4x8_simd128 = fullyConnected('u8');
export const fc_i8_gemm4x8_simd128 = fullyConnected('i8');
export const fc_f32_gemm4x8_simd128 = fullyConnected('f32');
