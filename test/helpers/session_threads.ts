// One check shared by the plain-SIMD128 and relaxed-SIMD session tests: sessions of 1, 2 and 3 threads on the given
// kernel build reproduce the TFLite interpreter (quantized byte for byte, float within tolerance).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readTflite } from '../../src/formats/tflite/index.js';
import { numElements, type TypedArray } from '../../src/graph/index.js';
import { Session } from '../../src/runtime/index.js';
import { assertMatchesInterpreter } from './compare.js';
import { tfliteOracle } from './oracle.js';

/** Deterministic image-like bytes: smooth content with noise, so activations are not all saturated. */
export function pixels(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (128 + 90 * Math.sin(i / 997 + seed) + (s >>> 27)) & 255;
  }
  return out;
}

/** Runs the model at `path` with 1, 2 and 3 threads on the `build` kernels against the interpreter. */
export function checkThreadsAgainstInterpreter(path: string, build: 'simd128' | 'relaxed'): void {
  const bytes = new Uint8Array(readFileSync(path));
  const graph = readTflite(bytes);
  const oracle = tfliteOracle(bytes);
  const sessions = [1, 2, 3].map((threads) => new Session(graph, { threads }));
  try {
    const s1 = sessions[0]!;
    assert.ok(s1.kernelNames.some((k) => k.includes('simd128')), `no WASM kernel chosen: ${s1.kernelNames.join(' ')}`);
    assert.deepEqual(sessions.map((s) => [s.threads, s.wasmBuild]), [[1, build], [2, build], [3, build]]);
    const input = s1.graph.tensors[s1.graph.inputs[0]!]!;
    const n = numElements(input.shape);
    for (const seed of [1, 2]) {
      const p = pixels(n, seed);
      const x: TypedArray = input.dtype === 'float32' ? Float32Array.from(p, (v) => (v - 127.5) / 127.5) : p;
      const want = oracle.run(x);
      for (const s of sessions) {
        const [got] = s.run([x]);
        assertMatchesInterpreter(got, want, `${build}, threads ${s.threads} seed ${seed}`);
      }
    }
  } finally {
    for (const s of sessions) s.dispose();
  }
}
