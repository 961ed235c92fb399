import type { ResizeConvention } from '../graph/index.js';
import { numElements } from '../graph/index.js';
import type { ImageInput, Model } from './model.js';
import { featureTensorOf } from './features.js';
import { dequantize } from './scores.js';

/** Options of {@link embed}. */
export interface EmbedOptions {
  /** Scale the vector to unit L2 length (default false). */
  normalize?: boolean;
  /** Overrides the model's crop/resize convention. */
  resize?: ResizeConvention;
}

/** The feature tensor of a model and its length. */
export function featureInfo(model: Model): { tensor: number; name: string; dim: number } {
  const tensor = featureTensorOf(model.graph);
  const t = model.graph.tensors[tensor]!;
  return { tensor, name: t.name, dim: numElements(t.shape) };
}

/**
 * The pooled feature vector of an image: the activations feeding the model's classifier (1280 values for
 * MobileNetV2 1.0, 1024·alpha for V1, the pre-logits 1024/1280 for V3), dequantised to float32.
 */
export async function embed(model: Model, image: ImageInput, options: EmbedOptions = {}): Promise<Float32Array> {
  const input = await model.preprocess(image, options.resize);
  return embedInput(model, input, options.normalize);
}

/** {@link embed} on an already preprocessed input tensor. */
export function embedInput(model: Model, input: Parameters<Model['run']>[0], normalize = false): Float32Array {
  const tensor = featureTensorOf(model.graph);
  const [raw] = model.run(input, [tensor]);
  const v = dequantize(model.graph.tensors[tensor]!, raw!);
  return normalize ? l2Normalize(v) : v;
}

/** Scales a vector to unit L2 length in place (a zero vector stays zero); returns it. */
export function l2Normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}
