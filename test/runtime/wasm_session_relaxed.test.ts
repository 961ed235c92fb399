// Sessions on the relaxed-SIMD kernels (fused multiply-add; Node 20 has them behind a flag this file turns on), with
// 1, 2 and 3 threads (the shared-memory relaxed build), against the real TFLite interpreter.
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { enableRelaxedSimd } from '../../src/runtime/index.js';
import { sharedTflite } from '../helpers/data.js';
import { checkThreadsAgainstInterpreter } from '../helpers/session_threads.js';

enableRelaxedSimd();

for (const [name, path] of Object.entries(sharedTflite)) {
  describe(`WASM session, relaxed SIMD: ${name}`, { skip: !existsSync(path) && 'shared model missing' }, () => {
    test('threads 1, 2, 3 reproduce the interpreter (relaxed SIMD build)', () => checkThreadsAgainstInterpreter(path, 'relaxed'));
  });
}
