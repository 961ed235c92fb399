import { createRequire } from 'node:module';
import { writeOnnx } from '../../src/formats/onnx/writer.js';
import type { TypedArray } from '../../src/graph/index.js';
import type { Engine, EngineSpec } from './engine.js';
import { graphOf } from './graph_source.js';
import { packageVersion } from './shims.js';

interface OrtTensor {
  data: Float32Array;
}
interface Ort {
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: {
    create(bytes: Uint8Array, o: object): Promise<{ inputNames: string[]; outputNames: string[]; run(f: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> }>;
  };
}

/** onnxruntime-node (native CPU provider) on the same float graph exported with our ONNX writer. */
export async function openOrt(spec: EngineSpec): Promise<Engine> {
  const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
  const graph = await graphOf(spec.model);
  const shape = graph.tensors[graph.inputs[0]!]!.shape;
  const session = await ort.InferenceSession.create(writeOnnx(graph), {
    intraOpNumThreads: spec.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const inName = session.inputNames[0]!;
  const outName = session.outputNames[0]!;
  return {
    version: `onnxruntime-node ${packageVersion('onnxruntime-node')} (native CPU EP)`,
    async run(input: TypedArray) {
      const res = await session.run({ [inName]: new ort.Tensor('float32', input as Float32Array, shape) });
      return res[outName]!.data.slice();
    },
  };
}
