import type { ResizeConvention, TypedArray } from '../graph/index.js';
import { SessionPool } from '../runtime/session_pool.js';
import type { Classifier } from './classifier.js';
import type { ClassifyOptions, ImageInput, Model, Prediction } from './model.js';
import { dequantize, softmax, topPredictions } from './scores.js';

interface Ahead {
  image: ImageInput;
  scores: Promise<Float32Array>;
}

/**
 * A {@link Model} whose inferences run on a {@link SessionPool} (throughput over many images): images announced with
 * {@link readAhead} are decoded and preprocessed here while the workers run earlier ones, and {@link scores} of those
 * images, asked in the same order, take the results. Scores equal the model's own exactly.
 */
export class PooledModel implements Classifier {
  private ahead: Ahead[] = [];
  private pending: ImageInput[] = [];
  private resize: ResizeConvention | undefined;
  private window = 0;

  private constructor(
    readonly model: Model,
    private readonly pool: SessionPool,
  ) {}

  /** Starts `workers` worker threads, each with a single-threaded session of the model's graph. */
  static async create(model: Model, workers: number): Promise<PooledModel> {
    return new PooledModel(model, await SessionPool.create(model.graph, { workers }));
  }

  get source(): string {
    return this.model.source;
  }

  get labels(): string[] | undefined {
    return this.model.labels;
  }

  get backbone(): Model {
    return this.model;
  }

  /**
   * Announces the images {@link scores} will be asked for, in that order (with that resize convention): at most
   * `window` (default 4 per worker) are preprocessed and running at a time.
   */
  readAhead(images: ImageInput[], resize?: ResizeConvention, window = 4 * this.pool.workers): void {
    this.ahead = [];
    this.pending = [...images];
    this.resize = resize;
    this.window = window;
    this.fill();
  }

  async scores(image: ImageInput, resize?: ResizeConvention): Promise<Float32Array> {
    const next = this.ahead[0];
    if (next && next.image === image && resize === this.resize) {
      this.ahead.shift();
      this.fill();
      return next.scores;
    }
    return this.start(image, resize);
  }

  /** Runs on the calling thread (the model's own session). */
  scoresForInput(input: TypedArray): Float32Array {
    return this.model.scoresForInput(input);
  }

  async classify(image: ImageInput, options: ClassifyOptions = {}): Promise<Prediction[]> {
    const s = await this.scores(image, options.resize);
    return topPredictions(s, options, (i) => this.labelOf(i), this.labels);
  }

  labelOf(index: number): string {
    return this.model.labelOf(index);
  }

  /** Stops the workers. */
  async dispose(): Promise<void> {
    this.pending = [];
    await this.pool.dispose();
  }

  private fill(): void {
    while (this.ahead.length < this.window && this.pending.length) {
      const image = this.pending.shift()!;
      const scores = this.start(image, this.resize);
      scores.catch(() => {}); // the error surfaces when scores() hands this promise out
      this.ahead.push({ image, scores });
    }
  }

  private async start(image: ImageInput, resize: ResizeConvention | undefined): Promise<Float32Array> {
    const input = await this.model.preprocess(image, resize);
    const [out] = await this.pool.runOne([input]);
    const values = dequantize(this.model.output, out!);
    return this.model.endsInSoftmax() ? values : softmax(values);
  }
}
