import { MobilenetError } from '../errors.js';
import { decodeBrowserImage } from '../formats/image/decode_browser.js';
import type { RgbImage } from '../formats/image/types.js';
import type { ResizeConvention, TypedArray } from '../graph/index.js';
import type { ClassifyOptions, Prediction } from '../tasks/image_model.js';
import { ENGINE_NAME, errorFromData, type EngineRequest, type EngineResponse } from './engine_protocol.js';
import { isRgbImage, type WebImageInput } from './local_model.js';
import type { ModelBackend } from './model.js';

type Request = EngineRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The page's side of an engine worker (engine.ts): requests answered in order, errors rethrown as their class. */
export class EngineClient implements ModelBackend {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private next = 1;
  private failure: Error | undefined;

  /** Starts the worker from `url`, the library's script; `maxPixels` bounds the images decoded on the page. */
  constructor(private readonly url: URL, private readonly maxPixels?: number) {
    this.worker = new Worker(url, { type: 'module', name: ENGINE_NAME });
    this.worker.addEventListener('message', (e) => {
      const r = e.data as EngineResponse;
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (r.ok) p?.resolve(r.value);
      else p?.reject(errorFromData(r.error));
    });
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.fail(new MobilenetError(`the model's worker (${url.href}) failed${e.message ? `: ${e.message}` : ' to start'}`));
    });
  }

  /** Sends a request; `transfer` lists buffers that are ours to hand over. */
  request<T>(req: Request, transfer: Transferable[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  private async rgb(image: WebImageInput): Promise<{ image: RgbImage; transfer: Transferable[] }> {
    if (isRgbImage(image)) return { image, transfer: [] };
    const rgb = await decodeBrowserImage(image, { maxPixels: this.maxPixels });
    return { image: rgb, transfer: [rgb.data.buffer as ArrayBuffer] };
  }

  async scores(image: WebImageInput, resize?: ResizeConvention): Promise<Float32Array> {
    const { image: rgb, transfer } = await this.rgb(image);
    return this.request({ op: 'scores', image: rgb, resize }, transfer);
  }

  async classify(image: WebImageInput, options: ClassifyOptions): Promise<Prediction[]> {
    const { image: rgb, transfer } = await this.rgb(image);
    return this.request({ op: 'classify', image: rgb, options }, transfer);
  }

  run(inputs: TypedArray[], fetch?: number[]): Promise<TypedArray[]> {
    return this.request({ op: 'run', inputs, fetch });
  }

  /** Stops the worker (and with it its pool workers); pending requests fail. */
  dispose(): void {
    this.worker.terminate();
    this.fail(new MobilenetError('the model was disposed'));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}
