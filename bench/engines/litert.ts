import { readFileSync } from 'node:fs';
import type { TypedArray } from '../../src/graph/index.js';
import type { Engine, EngineSpec } from './engine.js';
import { installBrowserShims, loadedScripts, packageFile, packageVersion } from './shims.js';

interface LiteRtTensor {
  toTypedArray(): TypedArray;
  delete(): void;
}
interface LiteRtCore {
  loadLiteRt(path: string, o: { threads: boolean }): Promise<unknown>;
  loadAndCompile(m: Uint8Array, o: object): Promise<{ run(t: LiteRtTensor): Promise<LiteRtTensor[]> }>;
  Tensor: new (data: TypedArray, shape: number[]) => LiteRtTensor;
}

/**
 * LiteRT.js (@litertjs/core) on its XNNPACK CPU path, WASM files from node_modules. Its SIMD builds need
 * relaxed SIMD (the worker runs with --experimental-wasm-relaxed-simd on Node 20); 2+ threads load the
 * threaded build, whose pthreads run on worker_threads.
 */
export async function openLiteRt(spec: EngineSpec): Promise<Engine> {
  const wasmDir = packageFile('@litertjs/core', 'wasm');
  installBrowserShims(wasmDir, 'ModuleFactory');
  const core = (await import('@litertjs/core' as string)) as LiteRtCore;
  const threaded = spec.threads > 1;
  await core.loadLiteRt(`${wasmDir}/`, { threads: threaded });
  const model = await core.loadAndCompile(new Uint8Array(readFileSync(spec.model)), { accelerator: 'wasm', cpuOptions: { numThreads: spec.threads } });
  return {
    version: `@litertjs/core ${packageVersion('@litertjs/core')} (XNNPACK, ${loadedScripts.join(', ')})`,
    async run(input: TypedArray) {
      const side = Math.round(Math.sqrt(input.length / 3));
      const t = new core.Tensor(input, [1, side, side, 3]);
      const outs = await model.run(t);
      t.delete();
      const y = outs[0]!.toTypedArray().slice();
      for (const o of outs) o.delete();
      return y;
    },
  };
}
