import type { Graph } from '../../graph/graph.js';
import { buildMobilenetV1 } from './mobilenet-v1.js';
import { buildMobilenetV2 } from './mobilenet-v2.js';
import { buildMobilenetV3 } from './mobilenet-v3.js';
import { validateSpec, type ModelSpec } from './spec.js';
import { seededWeights, type WeightSource } from './weights.js';

export { makeDivisible, depthV1 } from './channels.js';
export { parseVariant, variantName, validateSpec, classesOf, softmaxOf, type ModelSpec, type Family, type Layout } from './spec.js';
export { seededWeights, type WeightSource } from './weights.js';

/**
 * Builds a MobileNet graph (float32, NHWC, batch 1, batch norm folded into the convolutions).
 *
 * @param spec the variant, e.g. from {@link parseVariant}.
 * @param weights parameters of the unfolded network by name, in PyTorch layout; without it, deterministic
 *   random weights (seed 0) — right shapes, meaningless predictions.
 * @returns the graph; `meta.extra.params_unfolded` holds the parameter count as the source framework
 *   counts it (weights, biases, batch-norm scale and shift; not the running statistics).
 * @throws MobilenetError for an invalid spec or a weight of the wrong size.
 */
export function buildMobilenet(spec: ModelSpec, weights: WeightSource = seededWeights(0)): Graph {
  validateSpec(spec);
  switch (spec.family) {
    case 'v1':
      return buildMobilenetV1(spec, weights);
    case 'v2':
      return buildMobilenetV2(spec, weights);
    case 'v3-large':
    case 'v3-small':
      return buildMobilenetV3(spec, weights);
  }
}
