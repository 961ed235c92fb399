import { bytesPerElement } from '../graph/dtype.js';
import type { Graph } from '../graph/graph.js';
import type { Node } from '../graph/ops.js';
import { numElements } from '../graph/tensor.js';

/** Size and cost of one node. */
export interface LayerInfo {
  name: string;
  op: string;
  output_shape: number[];
  /** Weight and bias elements of a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED node; 0 for other ops. */
  params: number;
  /** Multiply-accumulates of a conv, depthwise conv or fully connected node; 0 for other ops. */
  macs: number;
  /** Arithmetic of other ops: one per output element (elementwise, activations, softmax), one per pooled input element. */
  other_ops: number;
}

/** Size and cost of a whole graph. */
export interface ModelInfo {
  /** Weight and bias elements of all conv, depthwise and fully connected nodes, as stored (batch norm folded). */
  params: number;
  /** Filter and weight-matrix elements only, no biases: how the MobileNet papers and TF-slim tables count. */
  weight_params: number;
  /**
   * Parameter count of the unfolded network as its framework counts it (batch-norm scale and shift included,
   * running statistics not): the figure torchvision publishes. Only for graphs made by the builders.
   */
  params_unfolded?: number;
  /** Multiply-accumulates of conv, depthwise and fully connected nodes for one input (the papers' "mult-adds"). */
  macs: number;
  /** Arithmetic of all other nodes, counted apart from `macs`. */
  other_ops: number;
  /** Bytes of all constant tensors (weights, biases, shapes) in their stored dtypes. */
  weight_bytes: number;
  input_shape: number[];
  output_shape: number[];
  layers: LayerInfo[];
}

function cost(graph: Graph, node: Node): { params: number; weights: number; macs: number; other: number } {
  const t = graph.tensors;
  const out = numElements(t[node.outputs[0]!]!.shape);
  const constSize = (i: number | undefined): number => (i !== undefined && i >= 0 ? numElements(t[i]!.shape) : 0);
  switch (node.op) {
    case 'CONV_2D': {
      const [, kh, kw, cin] = t[node.inputs[1]!]!.shape as [number, number, number, number];
      return { params: constSize(node.inputs[1]) + constSize(node.inputs[2]), weights: constSize(node.inputs[1]), macs: out * kh * kw * cin, other: 0 };
    }
    case 'DEPTHWISE_CONV_2D': {
      const [, kh, kw] = t[node.inputs[1]!]!.shape as [number, number, number, number];
      return { params: constSize(node.inputs[1]) + constSize(node.inputs[2]), weights: constSize(node.inputs[1]), macs: out * kh * kw, other: 0 };
    }
    case 'FULLY_CONNECTED': {
      const w = t[node.inputs[1]!]!.shape;
      return { params: constSize(node.inputs[1]) + constSize(node.inputs[2]), weights: constSize(node.inputs[1]), macs: out * w[w.length - 1]!, other: 0 };
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D':
      return { params: 0, weights: 0, macs: 0, other: out * node.attrs.filterH * node.attrs.filterW };
    case 'MEAN':
      return { params: 0, weights: 0, macs: 0, other: numElements(t[node.inputs[0]!]!.shape) };
    case 'ADD':
    case 'SUB':
    case 'MUL':
    case 'RELU':
    case 'RELU6':
    case 'HARD_SWISH':
    case 'LOGISTIC':
    case 'SOFTMAX':
    case 'QUANTIZE':
    case 'DEQUANTIZE':
      return { params: 0, weights: 0, macs: 0, other: out };
    default:
      return { params: 0, weights: 0, macs: 0, other: 0 };
  }
}

/**
 * Counts parameters, multiply-accumulates and weight bytes of any graph (built, or read from a file).
 * MACs follow the MobileNet papers: convolutions and fully connected layers only, batch 1 as the graph states it.
 */
export function modelInfo(graph: Graph): ModelInfo {
  let weightParams = 0;
  const layers: LayerInfo[] = graph.nodes.map((node) => {
    const c = cost(graph, node);
    weightParams += c.weights;
    const outT = graph.tensors[node.outputs[0]!]!;
    return { name: node.name ?? outT.name, op: node.op, output_shape: outT.shape, params: c.params, macs: c.macs, other_ops: c.other };
  });
  let weightBytes = 0;
  for (const t of graph.tensors) if (t.data !== undefined) weightBytes += numElements(t.shape) * bytesPerElement(t.dtype);
  const unfolded = graph.meta.extra?.['params_unfolded'];
  const info: ModelInfo = {
    params: layers.reduce((s, l) => s + l.params, 0),
    weight_params: weightParams,
    macs: layers.reduce((s, l) => s + l.macs, 0),
    other_ops: layers.reduce((s, l) => s + l.other_ops, 0),
    weight_bytes: weightBytes,
    input_shape: graph.tensors[graph.inputs[0]!]?.shape ?? [],
    output_shape: graph.tensors[graph.outputs[0]!]?.shape ?? [],
    layers,
  };
  if (unfolded !== undefined && /^\d+$/.test(unfolded)) info.params_unfolded = Number(unfolded);
  return info;
}
