// 8-bit elementwise ops of one varying input as 256-entry tables: hard-swish, logistic, relu/relu6, QUANTIZE from
// one 8-bit type to another (requantization), and ADD/SUB/MUL with a one-element constant operand. Each table is the
// reference kernel run on all 256 input values, so results are exactly the reference's.
import type { DType, Graph, Node, Tensor, TypedArray } from '../graph/index.js';
import { numElements } from '../graph/index.js';
import { dtypesAre, inputTensor, outputTensor, tensorDType } from './common.js';
import { defineKernel, type Kernel } from './kernel.js';

const UNARY = new Set(['HARD_SWISH', 'LOGISTIC', 'RELU', 'RELU6', 'QUANTIZE']);
const BYTES = new Set<DType>(['uint8', 'int8']);
const BINARY = new Set(['ADD', 'SUB', 'MUL']);

/** Index of the varying input of a node a table can compute, or -1. */
function varyingInput(node: Node, g: Graph): number {
  if (UNARY.has(node.op)) return g.tensors[node.inputs[0]!]?.data ? -1 : 0;
  if (!BINARY.has(node.op) || node.inputs.length !== 2) return -1;
  const scalar = (i: number): boolean => {
    const t = inputTensor(g, node, i);
    return t.data !== undefined && numElements(t.shape) === 1;
  };
  if (scalar(1) && !inputTensor(g, node, 0).data) return 0;
  if (scalar(0) && !inputTensor(g, node, 1).data) return 1;
  return -1;
}

/** The same node on 256-element tensors: the varying input holds every value of its dtype. */
function tableGraph(node: Node, g: Graph, v: number): { g: Graph; x: TypedArray } {
  const tensors: Tensor[] = node.inputs.map((i, k) => {
    const t = g.tensors[i]!;
    return k === v ? { ...t, shape: [256], data: undefined } : { ...t, shape: [1] };
  });
  const y = outputTensor(g, node);
  tensors.push({ ...y, shape: [256], data: undefined });
  const x = tensors[v]!.dtype === 'uint8' ? Uint8Array.from({ length: 256 }, (_, i) => i) : Int8Array.from({ length: 256 }, (_, i) => i - 128);
  const mini: Node = { ...node, inputs: node.inputs.map((_, k) => k), outputs: [tensors.length - 1] } as Node;
  return { g: { tensors, nodes: [mini], inputs: [v], outputs: [tensors.length - 1], meta: g.meta }, x };
}

/** Parameters of a table kernel. */
export interface LutP {
  v: number;
  /** The output's byte for each byte of the varying input. */
  table: Uint8Array;
}

function lut(dt: 'u8' | 'i8', ref: (node: Node, g: Graph) => Kernel<unknown>): Kernel<LutP> {
  const t = tensorDType(dt);
  return defineKernel({
    name: `eltwise_${dt}_lut`,
    // The op of the registry entry is irrelevant: the runtime looks kernels up by node op, see `ops`.
    op: 'HARD_SWISH',
    dtype: dt,
    variant: 'lut',
    supports(node: Node, g: Graph): boolean {
      const v = varyingInput(node, g);
      if (v < 0 || numElements(inputTensor(g, node, v).shape) !== numElements(outputTensor(g, node).shape)) return false;
      // QUANTIZE maps one 8-bit type to either; the other ops keep the dtype.
      return node.op === 'QUANTIZE'
        ? BYTES.has(inputTensor(g, node, 0).dtype) && outputTensor(g, node).dtype === t
        : dtypesAre(g, [...node.inputs, ...node.outputs], t);
    },
    prepare(node: Node, g: Graph): LutP {
      const v = varyingInput(node, g);
      const m = tableGraph(node, g, v);
      const k = ref(m.g.nodes[0]!, m.g);
      const y = t === 'uint8' ? new Uint8Array(256) : new Int8Array(256);
      const ins = m.g.nodes[0]!.inputs.map((i) => (i === v ? m.x : m.g.tensors[i]!.data!));
      k.run(k.prepare(m.g.nodes[0]!, m.g), ins, [y]);
      const table = new Uint8Array(256);
      for (let i = 0; i < 256; i++) table[i] = y[i]! & 0xff;
      // Indexed by the input's byte: int8 value i - 128 at row i is the byte (i + 128) & 255.
      if (m.x instanceof Int8Array) table.set([...table.subarray(128), ...table.subarray(0, 128)]);
      return { v, table };
    },
    run(p: LutP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x = inputs[p.v] as Uint8Array | Int8Array;
      const y = outputs[0] as Uint8Array | Int8Array;
      const x8 = new Uint8Array(x.buffer, x.byteOffset, x.length);
      const y8 = new Uint8Array(y.buffer, y.byteOffset, y.length);
      const table = p.table;
      for (let i = 0; i < x8.length; i++) y8[i] = table[x8[i]!]!;
    },
  });
}

/** Table kernels per op (one registry entry per op and dtype), given the reference kernel picker. */
export function lutKernels(ref: (node: Node, g: Graph) => Kernel<unknown>): Kernel<LutP>[] {
  const out: Kernel<LutP>[] = [];
  for (const op of [...UNARY, ...BINARY]) {
    const short = op === 'HARD_SWISH' ? 'hardswish' : op.toLowerCase();
    for (const dt of ['u8', 'i8'] as const) {
      const k = lut(dt, ref);
      out.push({ ...k, name: `${short}_${dt}_lut`, op: op as Kernel['op'] });
    }
  }
  return out;
}
