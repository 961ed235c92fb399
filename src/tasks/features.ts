import type { Graph } from '../graph/index.js';
import { findFeatureTensor } from '../graph/rewrite.js';
import { UnsupportedError } from '../errors.js';

/**
 * The pooled feature tensor of a classifier graph ({@link findFeatureTensor}).
 * @throws UnsupportedError when the graph does not end in a classifier on pooled features.
 */
export function featureTensorOf(graph: Graph): number {
  const t = findFeatureTensor(graph);
  if (t === undefined) {
    throw new UnsupportedError(
      `model '${graph.meta.name ?? graph.meta.format}': no pooled feature tensor found (the graph does not end in a 1x1 convolution or fully connected classifier on pooled features)`,
    );
  }
  return t;
}
