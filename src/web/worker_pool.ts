// Throughput in the browser without cross-origin isolation: several engine workers, each with its own copy of the
// model on one thread; each call goes to the worker with the fewest calls in flight.
import type { ResizeConvention, TypedArray } from '../graph/index.js';
import type { ClassifyOptions, Prediction } from '../tasks/image_model.js';
import type { EngineClient } from './engine_client.js';
import type { WebImageInput } from './local_model.js';
import type { ModelBackend } from './model.js';

/** A backend spreading calls over engine workers that hold the same model. */
export class WorkerPoolBackend implements ModelBackend {
  private readonly inFlight: number[];

  constructor(private readonly clients: EngineClient[]) {
    this.inFlight = clients.map(() => 0);
  }

  private async call<T>(f: (c: EngineClient) => Promise<T>): Promise<T> {
    let i = 0;
    for (let j = 1; j < this.clients.length; j++) if (this.inFlight[j]! < this.inFlight[i]!) i = j;
    this.inFlight[i]!++;
    try {
      return await f(this.clients[i]!);
    } finally {
      this.inFlight[i]!--;
    }
  }

  scores(image: WebImageInput, resize?: ResizeConvention): Promise<Float32Array> {
    return this.call((c) => c.scores(image, resize));
  }

  classify(image: WebImageInput, options: ClassifyOptions): Promise<Prediction[]> {
    return this.call((c) => c.classify(image, options));
  }

  run(inputs: TypedArray[], fetch?: number[]): Promise<TypedArray[]> {
    return this.call((c) => c.run(inputs, fetch));
  }

  dispose(): void {
    for (const c of this.clients) c.dispose();
  }
}
