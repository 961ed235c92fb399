import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TypedArray } from '../../src/graph/index.js';
import type { Engine, EngineSpec } from './engine.js';
import { installBrowserShims, loadedScripts, packageFile, packageVersion } from './shims.js';

interface RunnerTensor {
  data(): Uint8Array | Int8Array | Float32Array | Int32Array;
}
interface Runner {
  getInputs(): RunnerTensor[];
  getOutputs(): RunnerTensor[];
  infer(): boolean;
}
interface TfliteWeb {
  setWasmPath(p: string): void;
  getWasmFeatures(): Promise<{ simd: boolean; multiThreading: boolean }>;
  loadTFLiteModel(m: ArrayBuffer, o: { numThreads: number }): Promise<{ modelRunner: Runner }>;
}

/**
 * TFLite 2.x with XNNPACK compiled to WebAssembly (@tensorflow/tfjs-tflite), single-threaded SIMD build: its
 * threaded build needs browser Web Workers, so the loader is pointed at the SIMD build instead.
 */
export async function openTfliteWeb(spec: EngineSpec): Promise<Engine> {
  if (spec.threads !== 1) throw new Error('tfjs-tflite runs single-threaded in Node here');
  const wasmDir = packageFile('@tensorflow/tfjs-tflite', 'wasm');
  installBrowserShims(wasmDir, 'tflite_web_api_ModuleFactory', (f) => f.replace('_simd_threaded.js', '_simd.js').replace('_threaded.js', '.js'));
  const tfl = createRequire(import.meta.url)('@tensorflow/tfjs-tflite') as TfliteWeb;
  tfl.setWasmPath(`${wasmDir}/`);
  const simd = (await tfl.getWasmFeatures()).simd;
  const bytes = readFileSync(spec.model);
  const model = await tfl.loadTFLiteModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, { numThreads: 1 });
  const runner = model.modelRunner;
  return {
    version: `@tensorflow/tfjs-tflite ${packageVersion('@tensorflow/tfjs-tflite')} (XNNPACK, ${loadedScripts[0] ?? '?'}${simd ? '' : ', no SIMD'})`,
    async run(input: TypedArray) {
      const dst = runner.getInputs()[0]!.data();
      new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
      if (!runner.infer()) throw new Error('tfjs-tflite inference failed');
      return runner.getOutputs()[0]!.data().slice();
    },
  };
}
