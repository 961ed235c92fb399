import { MobilenetError, ShapeError } from '../errors.js';
import type { ResizeConvention, Tensor, TypedArray } from '../graph/index.js';
import { shapeToString } from '../graph/index.js';
import type { ClassifyOptions, Prediction } from '../tasks/image_model.js';
import type { ModelSummary } from './engine_protocol.js';
import type { LocalModel, WebImageInput } from './local_model.js';

export type { WebImageInput } from './local_model.js';

/** Where a {@link Model} runs: on the page, or in its engine worker. */
export interface ModelBackend {
  scores(image: WebImageInput, resize?: ResizeConvention): Promise<Float32Array>;
  classify(image: WebImageInput, options: ClassifyOptions): Promise<Prediction[]>;
  run(inputs: TypedArray[], fetch?: number[]): Promise<TypedArray[]>;
  dispose(): void;
}

/** A backend running `m` on this thread. */
export function pageBackend(m: LocalModel): ModelBackend {
  return {
    scores: (image, resize) => m.scores(image, resize),
    classify: (image, options) => m.classify(image, options),
    run: async (inputs, fetch) => m.run(inputs, fetch),
    dispose: () => {},
  };
}

/** A summary of `m` running on this thread. */
export function summaryOf(m: LocalModel): ModelSummary {
  return { source: m.source, labels: m.labels, input: m.input, output: m.output, threads: 1 };
}

/**
 * A loaded model in the browser: classify images, run raw tensors. Made by {@link loadModel}; it runs on the page,
 * or in a Web Worker of its own (`threads > 1`, or `worker: true`), with the same asynchronous methods either way.
 */
export class Model {
  /** Where the model came from (a URL, a file name, or a description of the bytes). */
  readonly source: string;
  readonly labels: string[] | undefined;
  /** The input tensor description (NHWC). */
  readonly input: Tensor;
  /** The first output tensor description. */
  readonly output: Tensor;
  /** Threads running the model (1, or the thread count asked for once its pool workers have started). */
  readonly threads: number;
  /** Whether the model runs in a Web Worker, leaving the page free during inference. */
  readonly inWorker: boolean;
  /** Web Workers holding a copy of the model, calls going to the least busy (throughput mode), else 1. */
  readonly workers: number;
  private backend: ModelBackend | undefined;

  /** @internal Use {@link loadModel}. */
  constructor(summary: ModelSummary, backend: ModelBackend, inWorker: boolean, workers = 1) {
    this.source = summary.source;
    this.labels = summary.labels;
    this.input = summary.input;
    this.output = summary.output;
    this.threads = summary.threads;
    this.inWorker = inWorker;
    this.workers = workers;
    this.backend = backend;
  }

  /** Input height and width. */
  get inputSize(): { height: number; width: number } {
    const s = this.input.shape;
    if (s.length !== 4 || s[3] !== 3) {
      throw new ShapeError(`model input '${this.input.name}' is ${shapeToString(s)}, not an NHWC RGB image`);
    }
    return { height: s[1]!, width: s[2]! };
  }

  /** The top predictions for one image. */
  async classify(image: WebImageInput, options: ClassifyOptions = {}): Promise<Prediction[]> {
    return this.live().classify(image, options);
  }

  /** Class probabilities for one image, in the model's output order. */
  async scores(image: WebImageInput, resize?: ResizeConvention): Promise<Float32Array> {
    return this.live().scores(image, resize);
  }

  /** Runs the model on raw input tensors (one per graph input); resolves to the requested tensors (default the
   * outputs). */
  async run(inputs: TypedArray | TypedArray[], fetch?: number[]): Promise<TypedArray[]> {
    return this.live().run(Array.isArray(inputs) ? inputs : [inputs], fetch);
  }

  /** The label of an output index (its number as text when the model has no labels). */
  labelOf(index: number): string {
    return this.labels?.[index] ?? String(index);
  }

  /** Stops the model's workers, if any; the model cannot be used afterwards. */
  dispose(): void {
    this.backend?.dispose();
    this.backend = undefined;
  }

  private live(): ModelBackend {
    if (!this.backend) throw new MobilenetError(`model '${this.source}' was disposed`);
    return this.backend;
  }
}
