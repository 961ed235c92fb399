// Binary elementwise ops on the WASM kernels: quantized ADD of same-shape tensors (a table of all 65536 input pairs,
// built by the SIMD ADD), float ADD, MUL (same shapes or a per-channel gate; 8-bit and float), float ADD and MUL with
// a one-element constant; elements or pixels split across threads.
import type { Graph, Node, TypedArray } from '../../graph/index.js';
import { numElements, shapeToString } from '../../graph/index.js';
import { prepareAddQuant } from '../add_sub_quant.js';
import { prepareBinary } from '../binary.js';
import { dtypesAre, inputTensor, outputTensor, tensorDType } from '../common.js';
import { mul_i8_ref, mul_u8_ref } from '../mul.js';
import { defineKernel, type Kernel, type KernelContext } from '../kernel.js';
import { share } from './context.js';
import { addr, computed, fns, needWasm, tasks, type Tasks } from './kernel_common.js';

/** The node on one-element tensors of the same dtypes and quantization: prepares a reference kernel's constants
 * without its broadcast index maps (which the WASM kernels do not use). */
function paramsOnly(node: Node, g: Graph): { node: Node; g: Graph } {
  const ids = [...node.inputs, ...node.outputs];
  const tensors = ids.map((i) => ({ ...g.tensors[i]!, shape: [1], data: undefined }));
  const k = node.inputs.length;
  const mini = { ...node, inputs: node.inputs.map((_, j) => j), outputs: node.outputs.map((_, j) => k + j) } as Node;
  return { node: mini, g: { tensors, nodes: [mini], inputs: mini.inputs, outputs: mini.outputs, meta: g.meta } };
}

interface AddP {
  t: Tasks;
  n: number;
  /** 65536 bytes: the output for inputs (a, b) at a * 256 + b (raw bytes). */
  table: number;
}

/** TFLite's quantized ADD as a two-input table: add_{u8,i8}_run (SIMD, TFLite's arithmetic) computes the outputs of
 * all 65536 pairs of input bytes at prepare time, then each element is one lookup (MobileNetV2: half the time). */
function add(dt: 'u8' | 'i8'): Kernel<AddP> {
  const t = tensorDType(dt);
  return defineKernel({
    name: `add_${dt}_lut8x8`,
    op: 'ADD',
    dtype: dt,
    variant: 'lut8x8',
    wasm: true,
    supports(node: Node, g: Graph): boolean {
      if (node.op !== 'ADD' || !dtypesAre(g, [...node.inputs, ...node.outputs], t)) return false;
      if (!computed(g, [...node.inputs, ...node.outputs])) return false;
      const y = shapeToString(outputTensor(g, node).shape);
      return shapeToString(inputTensor(g, node, 0).shape) === y && shapeToString(inputTensor(g, node, 1).shape) === y;
    },
    prepare(node: Node, g: Graph, ctx?: KernelContext): AddP {
      const w = needWasm(ctx, node);
      const m = paramsOnly(node, g);
      const q = prepareAddQuant(m.node, m.g);
      const table = w.heap.alloc(65536);
      const mark = w.heap.end;
      const params = w.heap.put(Int32Array.from([q.in1Offset, q.in2Offset, q.leftShift, q.in1Mult, q.in1Shift, q.in2Mult,
        q.in2Shift, q.outMult, q.outShift, q.outOffset, q.lo, q.hi]));
      const pa = w.heap.alloc(65536), pb = w.heap.alloc(65536);
      const e = fns(w);
      e['lut8x8_pairs']!(pa, pb);
      e[`add_${dt}_run`]!(65536, pa, pb, params, table);
      w.heap.release(mark);
      const n = numElements(outputTensor(g, node).shape);
      return { t: tasks(w, 'lut8x8_run', Math.ceil(n / 4096)), n, table };
    },
    run(p: AddP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const a0 = addr(inputs[0]!), b0 = addr(inputs[1]!), y0 = addr(outputs[0]!);
      const { runner, fn, n } = p.t;
      for (let t = 0; t < n; t++) {
        const [i0, i1] = share(p.n, n, t, 16);
        const a = runner.args(t);
        a[0] = i1 - i0; a[1] = a0 + i0; a[2] = b0 + i0; a[3] = p.table; a[4] = y0 + i0;
      }
      runner.run(fn, n);
    },
  });
}

interface AddF32P {
  t: Tasks;
  n: number;
  range: number;
}

/** Float ADD of same-shape computed tensors; the clamp of the fused activation as TFLite's float ADD applies it. */
export const add_f32_simd128: Kernel<AddF32P> = defineKernel({
  name: 'add_f32_simd128',
  op: 'ADD',
  dtype: 'f32',
  variant: 'simd128',
  wasm: true,
  supports(node: Node, g: Graph): boolean {
    if (node.op !== 'ADD' || !dtypesAre(g, [...node.inputs, ...node.outputs], 'float32')) return false;
    if (!computed(g, [...node.inputs, ...node.outputs])) return false;
    const y = shapeToString(outputTensor(g, node).shape);
    return shapeToString(inputTensor(g, node, 0).shape) === y && shapeToString(inputTensor(g, node, 1).shape) === y;
  },
  prepare(node: Node, g: Graph, ctx?: KernelContext): AddF32P {
    const w = needWasm(ctx, node);
    const m = paramsOnly(node, g);
    const q = prepareBinary(m.node, m.g);
    const n = numElements(outputTensor(g, node).shape);
    return { t: tasks(w, 'add_f32_run', Math.ceil(n / 4096)), n, range: w.heap.put(Float32Array.from([q.lo, q.hi])) };
  },
  run(p: AddF32P, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
    const a0 = addr(inputs[0]!), b0 = addr(inputs[1]!), y0 = addr(outputs[0]!);
    const { runner, fn, n } = p.t;
    for (let t = 0; t < n; t++) {
      const [i0, i1] = share(p.n, n, t, 4);
      const a = runner.args(t);
      a[0] = i1 - i0; a[1] = a0 + 4 * i0; a[2] = b0 + 4 * i0; a[3] = p.range; a[4] = y0 + 4 * i0;
    }
    runner.run(fn, n);
  },
});

interface ScalarF32P {
  t: Tasks;
  n: number;
  /** Input index of the tensor (the other is the constant). */
  v: number;
  /** 3 floats: the constant, the clamp's low and high. */
  params: number;
}

/** Float ADD or MUL of a computed tensor and a one-element constant, with the fused clamp. */
function scalarF32(op: 'ADD' | 'MUL'): Kernel<ScalarF32P> {
  const fn = op === 'ADD' ? 'scalar_add_f32_run' : 'scalar_mul_f32_run';
  const tensorInput = (node: Node, g: Graph): number => {
    const one = (i: number): boolean => inputTensor(g, node, i).data !== undefined && numElements(inputTensor(g, node, i).shape) === 1;
    return one(1) && computed(g, [node.inputs[0]!]) ? 0 : one(0) && computed(g, [node.inputs[1]!]) ? 1 : -1;
  };
  return defineKernel({
    name: `${op.toLowerCase()}_f32_scalar_simd128`,
    op,
    dtype: 'f32',
    variant: 'scalar_simd128',
    wasm: true,
    supports: (node: Node, g: Graph) => node.op === op && node.inputs.length === 2 &&
      dtypesAre(g, [...node.inputs, ...node.outputs], 'float32') && computed(g, node.outputs) && tensorInput(node, g) >= 0 &&
      numElements(inputTensor(g, node, tensorInput(node, g)).shape) === numElements(outputTensor(g, node).shape),
    prepare(node: Node, g: Graph, ctx?: KernelContext): ScalarF32P {
      const w = needWasm(ctx, node);
      const v = tensorInput(node, g);
      const m = paramsOnly(node, g);
      const q = prepareBinary(m.node, m.g);
      const s = (inputTensor(g, node, 1 - v).data as Float32Array)[0]!;
      const n = numElements(outputTensor(g, node).shape);
      return { t: tasks(w, fn, Math.ceil(n / 4096)), n, v, params: w.heap.put(Float32Array.from([s, q.lo, q.hi])) };
    },
    run(p: ScalarF32P, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x0 = addr(inputs[p.v]!), y0 = addr(outputs[0]!);
      const { runner, fn: f, n } = p.t;
      for (let t = 0; t < n; t++) {
        const [i0, i1] = share(p.n, n, t, 4);
        const a = runner.args(t);
        a[0] = i1 - i0; a[1] = x0 + 4 * i0; a[2] = p.params; a[3] = y0 + 4 * i0;
      }
      runner.run(f, n);
    },
  });
}

export const add_f32_scalar_simd128 = scalarF32('ADD');
export const mul_f32_scalar_simd128 = scalarF32('MUL');

interface MulP {
  t: Tasks;
  /** Rows of `c` elements of the full operand; the other operand is one row (or all rows when same shape). */
  pixels: number;
  c: number;
  /** Input index of the full operand. */
  full: number;
  params: number;
  /** Bytes per element. */
  es: number;
}

/** MUL of same shapes or with a per-channel gate; 8-bit with TFLite's arithmetic, float with its clamp. */
function mul(dt: 'u8' | 'i8' | 'f32'): Kernel<MulP> {
  const t = tensorDType(dt);
  /** Index of the full-size input, or -1 when neither shape fits (same shapes, or [1,..,1,c] against [..,c]). */
  const fullInput = (node: Node, g: Graph): number => {
    const y = outputTensor(g, node).shape;
    const a = inputTensor(g, node, 0).shape, b = inputTensor(g, node, 1).shape;
    const ys = shapeToString(y);
    const gate = (s: readonly number[]): boolean =>
      s.length === y.length && s[s.length - 1] === y[y.length - 1] && s.slice(0, -1).every((d) => d === 1);
    if (shapeToString(a) === ys && (shapeToString(b) === ys || gate(b))) return 0;
    if (shapeToString(b) === ys && gate(a)) return 1;
    return -1;
  };
  return defineKernel({
    name: `mul_${dt}_simd128`,
    op: 'MUL',
    dtype: dt,
    variant: 'simd128',
    wasm: true,
    supports: (node: Node, g: Graph) => node.op === 'MUL' && dtypesAre(g, [...node.inputs, ...node.outputs], t) &&
      computed(g, [...node.inputs, ...node.outputs]) && fullInput(node, g) >= 0,
    prepare(node: Node, g: Graph, ctx?: KernelContext): MulP {
      const w = needWasm(ctx, node);
      const m = paramsOnly(node, g);
      const full = fullInput(node, g);
      const y = outputTensor(g, node).shape;
      const n = numElements(y);
      const same = numElements(inputTensor(g, node, 1 - full).shape) === n;
      const c = same ? n : y[y.length - 1]!;
      let params: number;
      if (dt === 'f32') {
        const q = prepareBinary(m.node, m.g);
        params = w.heap.put(Float32Array.from([q.lo, q.hi]));
      } else {
        const q = (dt === 'u8' ? mul_u8_ref : mul_i8_ref).prepare(m.node, m.g);
        const off = full === 0 ? [q.in1Offset, q.in2Offset] : [q.in2Offset, q.in1Offset];
        params = w.heap.put(Int32Array.from([off[0]!, off[1]!, q.outOffset, q.mult, Math.max(q.shift, 0),
          Math.max(-q.shift, 0), q.lo, q.hi]));
      }
      return { t: tasks(w, `mul_${dt}_run`, same ? 1 : Math.ceil(n / 4096)), pixels: n / c, c, full, params, es: dt === 'f32' ? 4 : 1 };
    },
    run(p: MulP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const a0 = addr(inputs[p.full]!), b0 = addr(inputs[1 - p.full]!), y0 = addr(outputs[0]!);
      const { runner, fn, n } = p.t;
      for (let t = 0; t < n; t++) {
        const [r0, r1] = share(p.pixels, n, t);
        const a = runner.args(t);
        a[0] = r1 - r0; a[1] = p.c; a[2] = a0 + r0 * p.c * p.es; a[3] = b0; a[4] = p.params; a[5] = y0 + r0 * p.c * p.es;
      }
      runner.run(fn, n);
    },
  });
}

export const add_u8_lut8x8 = add('u8');
export const add_i8_lut8x8 = add('i8');
export const mul_u8_simd128 = mul('u8');
export const mul_i8_simd128 = mul('i8');
export const mul_f32_simd128 = mul('f32');
