import type { TypedArray } from '../../src/graph/index.js';
import { Session } from '../../src/runtime/index.js';
import type { Engine, EngineSpec } from './engine.js';
import { graphOf } from './graph_source.js';
import { readFileSync } from 'node:fs';

/** Our engine: whatever Session does today (reference TypeScript kernels, WASM kernels once wired in). */
export async function openOurs(spec: EngineSpec): Promise<Engine> {
  const session = new Session(await graphOf(spec.model), { threads: spec.threads });
  const kernels = [...new Set(session.kernelNames.map((k) => k.split('_').slice(-1)[0]))].join('+');
  return {
    version: `mobilenet-ts ${ownVersion()} (kernels: ${kernels}${session.wasmBuild === 'relaxed' ? ', relaxed SIMD' : ''})`,
    async run(input: TypedArray) {
      return session.run([input])[0]!;
    },
  };
}

function ownVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
