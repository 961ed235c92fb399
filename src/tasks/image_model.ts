import type { Graph, Normalization, ResizeConvention, Tensor, TypedArray } from '../graph/index.js';
import { allocate, numElements, shapeToString } from '../graph/index.js';
import { ShapeError } from '../errors.js';
import type { RgbImage } from '../formats/image/types.js';
import { Session } from '../runtime/index.js';
import type { SessionOptions } from '../runtime/index.js';
import { resizeForModel, resizeForModelFloat } from '../models/preprocess.js';
import { dequantize, softmax, topPredictions } from './scores.js';

/** One predicted class. */
export interface Prediction {
  /** Index in the model's own output space (1001-class TFLite models count "background" as 0). */
  index: number;
  label: string;
  score: number;
}

/** Options of {@link ImageModel.classify}. */
export interface ClassifyOptions {
  /** How many predictions to return (default 5). */
  topK?: number;
  /** Drop predictions scoring below this (default 0). */
  scoreThreshold?: number;
  /** Only these labels or indices may be returned. */
  allowlist?: (string | number)[];
  /** These labels or indices are never returned. */
  denylist?: (string | number)[];
  /** Overrides the model's crop/resize convention. */
  resize?: ResizeConvention;
}

/** Everything a model needs besides the graph. */
export interface ModelInit {
  graph: Graph;
  source: string;
  session?: SessionOptions;
}

const DEFAULT_NORMALIZATION: Normalization = { mean: [127.5], std: [127.5] };
const DEFAULT_RESIZE: ResizeConvention = { mode: 'central-crop', cropFraction: 0.875 };

/**
 * A loaded model: classify images, run raw tensors. Browser-safe: how an image of type `I` becomes RGB pixels
 * is left to the subclass (Node's {@link Model} decodes files and bytes, the browser's decodes canvases and blobs).
 */
export abstract class ImageModel<I> {
  readonly graph: Graph;
  /** Where the model came from (a path, or a description of the bytes). */
  readonly source: string;
  readonly labels: string[] | undefined;
  private readonly session: Session;
  private readonly outputIsSoftmax: boolean;

  constructor(init: ModelInit) {
    this.graph = init.graph;
    this.source = init.source;
    this.labels = init.graph.meta.labels;
    this.session = new Session(init.graph, init.session);
    this.outputIsSoftmax = producedBySoftmax(init.graph);
  }

  /** The input tensor description (NHWC). */
  get input(): Tensor {
    return this.graph.tensors[this.graph.inputs[0]!]!;
  }

  /** The first output tensor description. */
  get output(): Tensor {
    return this.graph.tensors[this.graph.outputs[0]!]!;
  }

  /** Input height and width. */
  get inputSize(): { height: number; width: number } {
    const s = this.input.shape;
    if (s.length !== 4 || s[3] !== 3) {
      throw new ShapeError(`model input '${this.input.name}' is ${shapeToString(s)}, not an NHWC RGB image`);
    }
    return { height: s[1]!, width: s[2]! };
  }

  /** The kernels that run the model: a WASM build ('relaxed' SIMD with fused multiply-add, or 'simd128'), else 'reference'. */
  get kernels(): 'simd128' | 'relaxed' | 'reference' {
    return this.session.wasmBuild ?? 'reference';
  }

  /** Runs the model on raw input tensors (one per graph input); returns the requested tensors (default the outputs). */
  run(inputs: TypedArray | TypedArray[], fetch?: number[]): TypedArray[] {
    return this.session.run(Array.isArray(inputs) ? inputs : [inputs], fetch);
  }

  /** Decodes (if needed), crops, resizes and converts an image into this model's input tensor. */
  async preprocess(image: I, resize?: ResizeConvention): Promise<TypedArray> {
    const rgb = await this.toRgb(image);
    const { height, width } = this.inputSize;
    const conv = resize ?? this.graph.meta.resize ?? DEFAULT_RESIZE;
    const opts = { width, height, mode: conv.mode, cropFraction: conv.cropFraction };
    const t = this.input;
    if (t.dtype === 'uint8' || t.dtype === 'int8') {
      const px = resizeForModel(rgb, opts).data;
      const out = allocate(t.dtype, numElements(t.shape));
      const shift = t.dtype === 'int8' ? 128 : 0;
      for (let i = 0; i < px.length; i++) (out as Uint8Array | Int8Array)[i] = px[i]! - shift;
      return out;
    }
    if (t.dtype !== 'float32') throw new ShapeError(`model input '${t.name}' has unsupported dtype ${t.dtype}`);
    const f = resizeForModelFloat(rgb, opts).data;
    const { mean, std } = this.graph.meta.normalization ?? DEFAULT_NORMALIZATION;
    for (let i = 0; i < f.length; i++) {
      const c = i % 3;
      f[i] = (f[i]! - mean[c % mean.length]!) / std[c % std.length]!;
    }
    return f;
  }

  /** Class probabilities for one image, in the model's output order. */
  async scores(image: I, resize?: ResizeConvention): Promise<Float32Array> {
    return this.scoresForInput(await this.preprocess(image, resize));
  }

  /** Class probabilities for a raw input tensor. */
  scoresForInput(input: TypedArray): Float32Array {
    const [out] = this.run(input);
    const values = dequantize(this.output, out!);
    return this.outputIsSoftmax ? values : softmax(values);
  }

  /** The top predictions for one image. */
  async classify(image: I, options: ClassifyOptions = {}): Promise<Prediction[]> {
    const scores = await this.scores(image, options.resize);
    return topPredictions(scores, options, (i) => this.labelOf(i), this.labels);
  }

  /** The label of an output index (its number as text when the model has no labels). */
  labelOf(index: number): string {
    return this.labels?.[index] ?? String(index);
  }

  /** True when the first output is produced by a SOFTMAX (possibly followed by reshapes/quantize). */
  endsInSoftmax(): boolean {
    return this.outputIsSoftmax;
  }

  /** Decodes an image to RGB pixels. */
  protected abstract toRgb(image: I): Promise<RgbImage>;
}

function producedBySoftmax(graph: Graph): boolean {
  let t = graph.outputs[0]!;
  for (;;) {
    const node = graph.nodes.find((n) => n.outputs.includes(t));
    if (!node) return false;
    if (node.op === 'SOFTMAX') return true;
    if (node.op !== 'RESHAPE' && node.op !== 'SQUEEZE' && node.op !== 'QUANTIZE' && node.op !== 'DEQUANTIZE') return false;
    t = node.inputs[0]!;
  }
}
