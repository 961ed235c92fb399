import type { Node } from './ops.js';
import type { Tensor } from './tensor.js';

/** How a model expects its input image to be turned into numbers. */
export interface Normalization {
  /** Per-channel (or one shared) mean subtracted from 0..255 pixel values. */
  mean: number[];
  /** Per-channel (or one shared) divisor applied after the mean. */
  std: number[];
}

/**
 * Crop/resize convention: 'central-crop' keeps the central `cropFraction` of the image then resizes
 * (TF-slim evaluation, 0.875); 'resize' squashes the whole image; 'resize-crop' resizes the shorter side to
 * size/cropFraction then takes the central size×size (torchvision: 256 → 224).
 */
export interface ResizeConvention {
  mode: 'central-crop' | 'resize' | 'resize-crop';
  cropFraction?: number;
}

/** What the model file says about itself beyond the graph. */
export interface ModelMeta {
  /** Format the graph was read from: 'tflite', 'tfjs', 'pytorch', 'builder', ... */
  format: string;
  name?: string;
  description?: string;
  /** Class labels in the model's own output order (for TFLite ImageNet models, index 0 is "background"). */
  labels?: string[];
  /** Input normalisation for float inputs (from metadata when the file has it). */
  normalization?: Normalization;
  /** How images are cropped and resized for this model (the format's convention when absent). */
  resize?: ResizeConvention;
  /** Index of the tensor holding the pooled feature vector, when known. */
  featureTensor?: number;
  /** Free-form extra facts (producer, version, ...). */
  extra?: Record<string, string>;
}

/** A model graph: tensors, topologically ordered nodes, inputs and outputs. */
export interface Graph {
  tensors: Tensor[];
  nodes: Node[];
  inputs: number[];
  outputs: number[];
  meta: ModelMeta;
}
