// Messages between a page and the engine worker that runs its model (see engine.ts, engine_client.ts).
import { ImageError, MobilenetError, ModelFormatError, ShapeError, UnsupportedError } from '../errors.js';
import type { RgbImage } from '../formats/image/types.js';
import type { ResizeConvention, Tensor, TypedArray } from '../graph/index.js';
import type { SessionOptions } from '../runtime/index.js';
import type { ClassifyOptions } from '../tasks/image_model.js';

/** Name of the engine worker; the library's script serves as that worker when it runs under this name. */
export const ENGINE_NAME = 'mobilenet-ts:engine';

/** What the page asks of the engine; `id` pairs the answer. */
export type EngineRequest = { id: number } & (
  | { op: 'load'; bytes: Uint8Array; source: string; labels?: { list: string[]; where: string }; session: SessionOptions; maxPixels?: number }
  | { op: 'scores'; image: RgbImage; resize?: ResizeConvention }
  | { op: 'classify'; image: RgbImage; options: ClassifyOptions }
  | { op: 'run'; inputs: TypedArray[]; fetch?: number[] }
);

/** What a loaded model tells the page about itself. */
export interface ModelSummary {
  source: string;
  labels: string[] | undefined;
  /** The first input and output tensors (without data). */
  input: Tensor;
  output: Tensor;
  /** Threads running the model: the engine's, plus its pool workers. */
  threads: number;
}

/** An error crossing the worker boundary. */
export interface ErrorData {
  name: string;
  message: string;
}

/** The engine's answer to request `id`. */
export type EngineResponse = { id: number } & ({ ok: true; value: unknown } | { ok: false; error: ErrorData });

export function errorData(e: unknown): ErrorData {
  return e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
}

const CLASSES: Record<string, new (m: string) => Error> = {
  MobilenetError, ModelFormatError, UnsupportedError, ImageError, ShapeError, TypeError, RangeError,
};

/** The error of the engine, as the class it was thrown with there (the library's own, or a plain Error). */
export function errorFromData(d: ErrorData): Error {
  const C = CLASSES[d.name];
  if (C) return new C(d.message);
  const e = new Error(d.message);
  e.name = d.name;
  return e;
}

/** The buffers of `arrays` (copies made for the message), to transfer rather than copy again. */
export function buffersOf(arrays: ArrayLike<unknown>[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of arrays) {
    const b = (a as { buffer?: unknown }).buffer;
    if (b instanceof ArrayBuffer && !out.includes(b)) out.push(b);
  }
  return out;
}
