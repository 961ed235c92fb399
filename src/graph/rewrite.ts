/** Graph rewrites: cutting a graph at a tensor, finding the pooled features, appending tensors and nodes. */
import { MobilenetError } from '../errors.js';
import type { Graph, ModelMeta } from './graph.js';
import type { Node, OpAttrs, OpName } from './ops.js';
import { numElements, type Tensor } from './tensor.js';

function checkTensorIndex(graph: Graph, t: number, what: string): void {
  if (!(Number.isInteger(t) && t >= 0 && t < graph.tensors.length)) {
    throw new MobilenetError(`${what}: tensor ${t} out of range (the graph has ${graph.tensors.length} tensors)`);
  }
}

/** The node producing each tensor. */
function producers(graph: Graph): Map<number, Node> {
  const map = new Map<number, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) map.set(o, n);
  return map;
}

/**
 * The part of `graph` that computes `tensor`, with `tensor` as its only output: nodes it does not need
 * and tensors nothing uses any more are dropped, tensors renumbered (order kept). The graph inputs are
 * kept. `meta` is copied without the labels (the output is no longer class scores); `featureTensor` is
 * renumbered, or dropped when cut away. Tensor objects are copied; constant data is shared.
 */
export function truncateAt(graph: Graph, tensor: number): Graph {
  checkTensorIndex(graph, tensor, 'truncateAt');
  const producer = producers(graph);
  const isInput = new Set(graph.inputs);
  if (!producer.has(tensor) && !isInput.has(tensor)) {
    throw new MobilenetError(`truncateAt: tensor ${tensor} '${graph.tensors[tensor]!.name}' is not computed by the graph (a constant or unused)`);
  }
  const neededNodes = new Set<Node>();
  const stack = [tensor];
  while (stack.length > 0) {
    const node = producer.get(stack.pop()!);
    if (!node || neededNodes.has(node)) continue;
    neededNodes.add(node);
    for (const i of node.inputs) if (i >= 0) stack.push(i);
  }
  const nodes = graph.nodes.filter((n) => neededNodes.has(n));

  const used = new Set<number>([...graph.inputs, tensor]);
  for (const n of nodes) for (const t of [...n.inputs, ...n.outputs]) if (t >= 0) used.add(t);
  const newIndex = new Map<number, number>();
  const tensors: Tensor[] = [];
  graph.tensors.forEach((t, i) => {
    if (!used.has(i)) return;
    newIndex.set(i, tensors.length);
    tensors.push(copyTensor(t));
  });
  const map = (t: number): number => (t < 0 ? t : newIndex.get(t)!);

  const meta: ModelMeta = { ...graph.meta };
  delete meta.labels;
  if (meta.extra) {
    meta.extra = { ...meta.extra };
    delete meta.extra.labelsFile;
  }
  const feature = meta.featureTensor !== undefined ? newIndex.get(meta.featureTensor) : undefined;
  if (feature !== undefined) meta.featureTensor = feature;
  else delete meta.featureTensor;

  return {
    tensors,
    nodes: nodes.map((n) => ({ ...n, inputs: n.inputs.map(map), outputs: n.outputs.map(map) }) as Node),
    inputs: graph.inputs.map(map),
    outputs: [map(tensor)],
    meta,
  };
}

function copyTensor(t: Tensor): Tensor {
  const c: Tensor = { ...t, shape: [...t.shape] };
  if (t.quant) c.quant = { scale: [...t.quant.scale], zeroPoint: [...t.quant.zeroPoint], axis: t.quant.axis };
  return c;
}

/** Ops between the classifier and the graph output that do not change which class scores what. */
const AFTER_CLASSIFIER = new Set<OpName>(['RESHAPE', 'SQUEEZE', 'SOFTMAX', 'QUANTIZE', 'DEQUANTIZE', 'LOGISTIC']);

/**
 * The pooled feature vector of a classifier graph: `graph.meta.featureTensor` when set; otherwise the
 * input of the classifier (the FULLY_CONNECTED or 1×1 CONV_2D producing the logits, found by walking back
 * from the first output through softmax, reshapes and (de)quantization), stepping back over reshapes of
 * the same size. Undefined when there is no such classifier or its input is not pooled (one value per channel).
 *
 * For TF-slim MobileNets this is the tensor TF Hub's feature_vector models expose: V1 and V2 the global
 * average pool (`MobilenetV2/Logits/AvgPool`, [1,1,1,1280]); V3 the 1024 (small) or 1280 (large) wide
 * output of the last 1×1 conv + hard-swish after the pool (`MobilenetV3/Logits/AvgPool`).
 */
export function findFeatureTensor(graph: Graph): number | undefined {
  const declared = graph.meta.featureTensor;
  if (declared !== undefined && declared >= 0 && declared < graph.tensors.length) return declared;
  const producer = producers(graph);
  let t = graph.outputs[0];
  for (let guard = 0; t !== undefined && guard <= graph.nodes.length; guard++) {
    const node = producer.get(t);
    if (!node) return undefined;
    if (AFTER_CLASSIFIER.has(node.op)) {
      t = node.inputs[0];
      continue;
    }
    const filter = graph.tensors[node.inputs[1] ?? -1]?.shape;
    const classifier = node.op === 'FULLY_CONNECTED' || (node.op === 'CONV_2D' && filter?.[1] === 1 && filter?.[2] === 1);
    if (!classifier) return undefined;
    let f = node.inputs[0]!;
    for (let p = producer.get(f); p && (p.op === 'RESHAPE' || p.op === 'SQUEEZE'); p = producer.get(f)) {
      if (numElements(graph.tensors[p.inputs[0]!]!.shape) !== numElements(graph.tensors[f]!.shape)) break;
      f = p.inputs[0]!;
    }
    const shape = graph.tensors[f]!.shape;
    return shape.length > 0 && numElements(shape) === shape[shape.length - 1] ? f : undefined;
  }
  return undefined;
}

/** Appends a tensor to `graph` (in place) and returns its index. */
export function addTensor(graph: Graph, tensor: Tensor): number {
  graph.tensors.push(tensor);
  return graph.tensors.length - 1;
}

/**
 * Appends a node computing a new tensor `output` from `inputs` (in place, after every existing node)
 * and returns the new tensor's index. Inputs must be tensors of the graph (-1 for an absent optional input).
 */
export function appendNode<K extends OpName>(graph: Graph, op: K, attrs: OpAttrs[K], inputs: number[], output: Tensor): number {
  inputs.forEach((i, k) => {
    if (i !== -1) checkTensorIndex(graph, i, `appendNode ${op} input ${k}`);
  });
  const o = addTensor(graph, output);
  graph.nodes.push({ op, attrs, inputs, outputs: [o], name: output.name } as Node);
  return o;
}
