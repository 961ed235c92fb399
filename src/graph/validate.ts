import { ModelFormatError } from '../errors.js';
import type { DType, TypedArray } from './dtype.js';
import type { Graph } from './graph.js';
import type { Node, OpName } from './ops.js';
import { numElements, shapeToString, type Tensor } from './tensor.js';

/** Input arity of each op: [required, maximum]; inputs past `required` may be -1 (absent). */
const ARITY: Record<OpName, [number, number]> = {
  CONV_2D: [2, 3],
  DEPTHWISE_CONV_2D: [2, 3],
  FULLY_CONNECTED: [2, 3],
  AVERAGE_POOL_2D: [1, 1],
  MAX_POOL_2D: [1, 1],
  MEAN: [2, 2],
  ADD: [2, 2],
  SUB: [2, 2],
  MUL: [2, 2],
  RELU: [1, 1],
  RELU6: [1, 1],
  HARD_SWISH: [1, 1],
  LOGISTIC: [1, 1],
  SOFTMAX: [1, 1],
  RESHAPE: [1, 2],
  SQUEEZE: [1, 1],
  QUANTIZE: [1, 1],
  DEQUANTIZE: [1, 1],
  PAD: [2, 2],
  CONCATENATION: [1, Infinity],
};

const ARRAY_OF: Record<DType, abstract new (...args: never[]) => TypedArray> = {
  float32: Float32Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int64: BigInt64Array,
};

/**
 * Checks the structure of a graph: tensor indices in range (-1 only for optional inputs), nodes in
 * topological order (every input produced earlier, a constant or a graph input), each tensor written
 * once, constant data of the right type and length, quantization parameters consistent with the shape.
 * Throws `ModelFormatError` naming the node (index, op, output tensor name) or tensor at fault.
 */
export function validateGraph(g: Graph): void {
  const n = g.tensors.length;
  const fail = (msg: string): never => {
    throw new ModelFormatError(`graph: ${msg}`);
  };
  g.tensors.forEach((t, i) => checkTensor(t, i, fail));

  const available = new Uint8Array(n);
  for (const [k, t] of g.tensors.entries()) if (t.data) available[k] = 1;
  for (const [k, i] of g.inputs.entries()) {
    if (!(Number.isInteger(i) && i >= 0 && i < n)) fail(`graph input ${k} is tensor ${i}, out of range (tensors: ${n})`);
    available[i] = 1;
  }

  g.nodes.forEach((node, k) => {
    const label = nodeLabel(g, node, k);
    const [required, max] = ARITY[node.op] ?? fail(`${label}: unknown op`);
    if (node.inputs.length < required || node.inputs.length > max) {
      fail(`${label}: has ${node.inputs.length} inputs, expected ${required === max ? required : `${required} to ${max}`}`);
    }
    node.inputs.forEach((i, j) => {
      if (i === -1 && j >= required) return;
      if (i === -1) fail(`${label}: required input ${j} is absent (-1)`);
      if (!(Number.isInteger(i) && i >= 0 && i < n)) fail(`${label}: input ${j} is tensor ${i}, out of range (tensors: ${n})`);
      if (!available[i]) {
        fail(`${label}: input ${j} (tensor ${i} '${g.tensors[i]!.name}') is not a constant, a graph input or produced by an earlier node`);
      }
    });
    if (node.outputs.length !== 1) fail(`${label}: has ${node.outputs.length} outputs, expected 1`);
    node.outputs.forEach((o, j) => {
      if (!(Number.isInteger(o) && o >= 0 && o < n)) fail(`${label}: output ${j} is tensor ${o}, out of range (tensors: ${n})`);
      if (available[o]) fail(`${label}: output ${j} (tensor ${o} '${g.tensors[o]!.name}') is already a constant, a graph input or produced earlier`);
      available[o] = 1;
    });
  });

  for (const [k, o] of g.outputs.entries()) {
    if (!(Number.isInteger(o) && o >= 0 && o < n)) fail(`graph output ${k} is tensor ${o}, out of range (tensors: ${n})`);
    if (!available[o]) fail(`graph output ${k} (tensor ${o} '${g.tensors[o]!.name}') is never produced`);
  }
}

function nodeLabel(g: Graph, node: Node, k: number): string {
  const o = node.outputs[0];
  const name = o !== undefined ? g.tensors[o]?.name : undefined;
  return `node ${k} ${node.op}${name !== undefined ? ` ('${name}')` : ''}`;
}

function checkTensor(t: Tensor, i: number, fail: (msg: string) => never): void {
  const label = `tensor ${i} '${t.name}'`;
  if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`${label}: bad shape ${shapeToString(t.shape)}`);
  if (t.data) {
    if (!(t.data instanceof ARRAY_OF[t.dtype])) fail(`${label}: ${t.dtype} data held in a ${t.data.constructor.name}`);
    const count = numElements(t.shape);
    if (t.data.length !== count) fail(`${label}: has ${t.data.length} values, shape ${shapeToString(t.shape)} needs ${count}`);
  }
  const q = t.quant;
  if (q) {
    if (q.scale.length === 0) fail(`${label}: quantization has no scale`);
    if (q.zeroPoint.length !== q.scale.length) {
      fail(`${label}: quantization has ${q.scale.length} scales but ${q.zeroPoint.length} zero points`);
    }
    if (!q.scale.every((s) => Number.isFinite(s) && s >= 0)) fail(`${label}: quantization scale not finite and >= 0`);
    if (!q.zeroPoint.every(Number.isInteger)) fail(`${label}: quantization zero point not an integer`);
    if (q.scale.length > 1) {
      if (!(Number.isInteger(q.axis) && q.axis >= 0 && q.axis < t.shape.length)) {
        fail(`${label}: quantized dimension ${q.axis} out of range for shape ${shapeToString(t.shape)}`);
      }
      if (t.shape[q.axis] !== q.scale.length) {
        fail(`${label}: ${q.scale.length} per-channel scales, but dimension ${q.axis} of shape ${shapeToString(t.shape)} is ${t.shape[q.axis]}`);
      }
    }
  }
}
