/** Export of a backbone with a trained linear head as one self-contained `.tflite` classifier. */
import { ShapeError, UnsupportedError } from '../errors.js';
import { writeTflite } from '../formats/tflite/writer.js';
import type { Graph, Normalization } from '../graph/graph.js';
import { appendNode, addTensor, findFeatureTensor, truncateAt } from '../graph/rewrite.js';
import { isQuantizedDType, numElements, shapeToString } from '../graph/index.js';

/** A linear classifier on the backbone's pooled features. */
export interface LinearHead {
  /** [classes, features] row-major */
  weights: Float32Array;
  bias: Float32Array;
  labels: string[];
  /** optional feature standardisation folded into the FC: x' = (x - mean) / std */
  mean?: Float32Array;
  std?: Float32Array;
}

/** Options of `exportClassifier`. */
export interface ExportClassifierOptions {
  /** Tensor of the backbone holding the features; default `findFeatureTensor(backbone)`. */
  featureTensor?: number;
  /** Model description written into the metadata. */
  description?: string;
  /** Input normalisation written into the metadata; default the backbone's `meta.normalization`. */
  normalization?: Normalization;
}

/**
 * Builds a TFLite classifier: the backbone cut at its feature tensor, RESHAPE to [1, features],
 * DEQUANTIZE when the features are quantized, FULLY_CONNECTED with the head (float32 weights, the
 * standardisation folded in: W' = W / std, b' = b − W'·mean), SOFTMAX; the output is float32
 * [1, classes]. The file's metadata carries the labels and the input normalisation.
 *
 * @throws UnsupportedError when no feature tensor is given or found.
 * @throws ShapeError when the head's sizes do not match the features or each other.
 */
export function exportClassifier(backbone: Graph, head: LinearHead, options: ExportClassifierOptions = {}): Uint8Array {
  const feature = options.featureTensor ?? findFeatureTensor(backbone);
  if (feature === undefined) {
    throw new UnsupportedError(`exportClassifier: no pooled feature tensor found in model '${backbone.meta.name ?? backbone.meta.format}'; pass options.featureTensor`);
  }
  const g = truncateAt(backbone, feature);
  let x = g.outputs[0]!;
  const ft = g.tensors[x]!;
  const features = numElements(ft.shape);
  const { weights, bias } = foldHead(head, features, `feature tensor '${ft.name}' ${shapeToString(ft.shape)}`);
  const classes = bias.length;

  if (ft.shape.length !== 2 || ft.shape[0] !== 1) {
    const shape = addTensor(g, { name: 'head/flatten/shape', dtype: 'int32', shape: [2], data: Int32Array.of(1, features) });
    const out = { name: 'head/flatten', dtype: ft.dtype, shape: [1, features], ...(ft.quant ? { quant: ft.quant } : {}) };
    x = appendNode(g, 'RESHAPE', { newShape: [1, features] }, [x, shape], out);
  }
  if (isQuantizedDType(ft.dtype)) {
    if (!ft.quant) throw new UnsupportedError(`exportClassifier: feature tensor '${ft.name}' is ${ft.dtype} without quantization parameters`);
    x = appendNode(g, 'DEQUANTIZE', {}, [x], { name: 'head/dequantize', dtype: 'float32', shape: [1, features] });
  } else if (ft.dtype !== 'float32') {
    throw new UnsupportedError(`exportClassifier: feature tensor '${ft.name}' has dtype ${ft.dtype}, expected float32 or quantized`);
  }
  const w = addTensor(g, { name: 'head/dense/weights', dtype: 'float32', shape: [classes, features], data: weights });
  const b = addTensor(g, { name: 'head/dense/bias', dtype: 'float32', shape: [classes], data: bias });
  const logits = appendNode(g, 'FULLY_CONNECTED', { activation: 'none', keepNumDims: false }, [x, w, b], {
    name: 'head/dense',
    dtype: 'float32',
    shape: [1, classes],
  });
  const probs = appendNode(g, 'SOFTMAX', { beta: 1 }, [logits], { name: 'probabilities', dtype: 'float32', shape: [1, classes] });
  g.outputs = [probs];

  const normalization = options.normalization ?? backbone.meta.normalization;
  const base = backbone.meta.name ?? backbone.meta.format;
  return writeTflite(g, {
    description: 'mobilenet-ts',
    metadata: {
      name: `${base} + linear head`,
      description: options.description ?? `Classifies images into ${classes} classes: ${base} features, a linear head.`,
      labels: head.labels,
      ...(normalization ? { normalization } : {}),
    },
  });
}

/** The head's weights and bias with the standardisation folded in, after checking every size. */
function foldHead(head: LinearHead, features: number, where: string): { weights: Float32Array; bias: Float32Array } {
  const classes = head.bias.length;
  const fail = (msg: string): never => {
    throw new ShapeError(`exportClassifier: ${msg}`);
  };
  if (classes === 0) fail('the head has no classes (empty bias)');
  if (head.weights.length !== classes * features) {
    fail(`head weights have ${head.weights.length} values, expected ${classes} classes × ${features} features of the ${where}`);
  }
  if (head.labels.length !== classes) fail(`${head.labels.length} labels for ${classes} classes`);
  if ((head.mean === undefined) !== (head.std === undefined)) fail('head.mean and head.std must be given together');
  if (!head.mean || !head.std) return { weights: Float32Array.from(head.weights), bias: Float32Array.from(head.bias) };
  if (head.mean.length !== features || head.std.length !== features) {
    fail(`head mean/std have ${head.mean.length}/${head.std.length} values, expected ${features} (${where})`);
  }
  const std = head.std;
  const bad = std.findIndex((s) => !(Number.isFinite(s) && s !== 0));
  if (bad >= 0) fail(`head.std[${bad}] = ${std[bad]}, must be finite and non-zero`);
  const weights = new Float32Array(classes * features);
  const bias = new Float32Array(classes);
  for (let c = 0; c < classes; c++) {
    let shift = 0;
    for (let j = 0; j < features; j++) {
      const w = head.weights[c * features + j]! / std[j]!;
      weights[c * features + j] = w;
      shift += w * head.mean[j]!;
    }
    bias[c] = head.bias[c]! - shift;
  }
  return { weights, bias };
}
