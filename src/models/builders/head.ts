import type { Graph, ModelMeta } from '../../graph/graph.js';
import type { GraphBuilder } from './graph-builder.js';
import { conv, squeeze } from './layers.js';
import { alphaText, classesOf, softmaxOf, variantName, type ModelSpec } from './spec.js';

/** Input normalisation each layout's checkpoints were trained with (on 0..255 pixels). */
const NORMALIZATION = {
  slim: { mean: [127.5], std: [127.5] },
  torchvision: { mean: [0.485 * 255, 0.456 * 255, 0.406 * 255], std: [0.229 * 255, 0.224 * 255, 0.225 * 255] },
};

/** TF-slim's logits: a 1×1 conv with bias on the pooled [N,1,1,C] tensor, squeezed to [N, classes]. */
export function slimLogits(b: GraphBuilder, pooled: number, scope: string, spec: ModelSpec): number {
  const name = `${scope}/Logits/Conv2d_1c_1x1`;
  const logits = conv(b, pooled, { name, weight: `${name}/weights`, bias: `${name}/biases`, out: classesOf(spec), kernel: 1, stride: 1, act: 'none' });
  return squeeze(b, logits, `${scope}/Logits/SpatialSqueeze`);
}

/** Adds the optional SOFTMAX and returns the finished graph with its metadata. */
export function finishGraph(b: GraphBuilder, input: number, logits: number, feature: number, spec: ModelSpec, kind: string): Graph {
  let out = logits;
  if (softmaxOf(spec)) out = b.op('SOFTMAX', { beta: 1 }, [logits], b.shape(logits), 'Predictions');
  const meta: ModelMeta = {
    format: 'builder',
    name: variantName(spec),
    description: `${kind} ${alphaText(spec.alpha)} ${spec.resolution} (${spec.layout === 'slim' ? 'TF-slim' : 'torchvision'} layout)`,
    normalization: NORMALIZATION[spec.layout],
    featureTensor: feature,
    extra: { layout: spec.layout, params_unfolded: String(b.unfoldedParams) },
  };
  return b.finish([input], [out], meta);
}
