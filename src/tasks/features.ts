import type { Graph } from '../graph/index.js';
import { numElements } from '../graph/index.js';
import { UnsupportedError } from '../errors.js';

const PASS_THROUGH = new Set(['RESHAPE', 'SQUEEZE', 'SOFTMAX', 'QUANTIZE', 'DEQUANTIZE', 'LOGISTIC']);

/**
 * The pooled feature tensor of a classifier graph: `meta.featureTensor` when the reader set it, otherwise
 * the input of the last classifier layer (the 1×1 CONV_2D or FULLY_CONNECTED producing the logits), found by
 * walking back from the first output through softmax, reshapes and (de)quantization.
 * @throws UnsupportedError when the graph does not end in such a classifier.
 */
export function featureTensorOf(graph: Graph): number {
  const meta = graph.meta.featureTensor;
  if (meta !== undefined && meta >= 0 && graph.tensors[meta]) return meta;
  const producer = new Map<number, Graph['nodes'][number]>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  let t = graph.outputs[0]!;
  for (let guard = 0; guard < graph.nodes.length; guard++) {
    const node = producer.get(t);
    if (!node) break;
    if (PASS_THROUGH.has(node.op)) {
      t = node.inputs[0]!;
      continue;
    }
    const isHead =
      node.op === 'FULLY_CONNECTED' ||
      (node.op === 'CONV_2D' && graph.tensors[node.inputs[1]!]!.shape[1] === 1 && graph.tensors[node.inputs[1]!]!.shape[2] === 1);
    if (!isHead) break;
    let f = node.inputs[0]!;
    // Step back over reshapes between the pooled tensor and the classifier ([1,1,1,C] -> [1,C]).
    for (let p = producer.get(f); p && (p.op === 'RESHAPE' || p.op === 'SQUEEZE'); p = producer.get(f)) {
      if (numElements(graph.tensors[p.inputs[0]!]!.shape) !== numElements(graph.tensors[f]!.shape)) break;
      f = p.inputs[0]!;
    }
    return f;
  }
  throw new UnsupportedError(
    `model '${graph.meta.name ?? graph.meta.format}': no feature tensor found (the graph does not end in a 1x1 convolution or fully connected classifier)`,
  );
}
