import type { TypedArray } from '../../src/graph/index.js';

/** What a benchmark worker asks for: which engine, which model, how many threads. */
export interface EngineSpec {
  /** 'ours' | 'tflite-web' | 'litert' | 'ort' | 'tfjs-wasm' */
  engine: string;
  /** A .tflite path, or `builder:VARIANT` for a float graph from our builders. */
  model: string;
  threads: number;
  /** Run with WebAssembly relaxed SIMD turned on (a V8 flag before Node 22; on by default after). */
  relaxed?: boolean;
}

/** One engine loaded with one model, ready to time. */
export interface Engine {
  /** Package and version that ran, with the build or backend it chose. */
  version: string;
  /** One inference: copy the input in, run, copy the first output out. */
  run(input: TypedArray): Promise<TypedArray>;
}
