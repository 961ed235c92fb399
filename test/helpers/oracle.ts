import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface RunnerTensor {
  name: string;
  dataType: string;
  shape: string;
  data(): Uint8Array | Int8Array | Float32Array | Int32Array;
}
interface Runner {
  getInputs(): RunnerTensor[];
  getOutputs(): RunnerTensor[];
  infer(): boolean;
}

/** The real TFLite 2.9 interpreter (builtin kernels, one thread), through tfjs-tflite-node. */
export interface TfliteOracle {
  /** Runs on one input tensor's bytes (or typed array) and returns a copy of output `k` (default 0). */
  run(input: ArrayBufferView, k?: number): Uint8Array | Int8Array | Float32Array | Int32Array;
}

/** Loads a .tflite file (path or bytes) into the TFLite interpreter. */
export function tfliteOracle(model: string | Uint8Array): TfliteOracle {
  const { TFLiteNodeModelRunner } = require('tfjs-tflite-node') as {
    TFLiteNodeModelRunner: new (m: ArrayBuffer, o: { threads: number }) => Runner;
  };
  const bytes = typeof model === 'string' ? readFileSync(model) : model;
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const runner = new TFLiteNodeModelRunner(ab, { threads: 1 });
  return {
    run(input, k = 0) {
      const dst = runner.getInputs()[0]!.data();
      const src = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      const dstBytes = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
      if (src.length !== dstBytes.length) throw new Error(`oracle input needs ${dstBytes.length} bytes, got ${src.length}`);
      dstBytes.set(src);
      if (!runner.infer()) throw new Error('TFLite inference failed');
      return runner.getOutputs()[k]!.data().slice();
    },
  };
}
