import type { TypedArray } from '../src/graph/index.js';
import type { Engine, EngineSpec } from './engines/engine.js';

/** Messages from the bench driver to a worker process (one engine per process). */
export type Request =
  | { cmd: 'open'; spec: EngineSpec }
  | { cmd: 'infer'; input: TypedArray }
  | { cmd: 'time'; input: TypedArray; sliceMs: number; maxIters: number }
  | { cmd: 'exit' };

async function open(spec: EngineSpec): Promise<Engine> {
  switch (spec.engine) {
    case 'ours':
      return (await import('./engines/ours.js')).openOurs(spec);
    case 'tflite-web':
      return (await import('./engines/tflite_web.js')).openTfliteWeb(spec);
    case 'litert':
      return (await import('./engines/litert.js')).openLiteRt(spec);
    case 'ort':
      return (await import('./engines/ort.js')).openOrt(spec);
    case 'tfjs-wasm':
      return (await import('./engines/tfjs_wasm.js')).openTfjsWasm(spec);
    default:
      throw new Error(`unknown engine '${spec.engine}'`);
  }
}

let engine: Engine | undefined;
const send = (m: unknown) => process.send!(m);

process.on('message', (m: Request) => {
  void (async () => {
    try {
      if (m.cmd === 'open') {
        const t = performance.now();
        engine = await open(m.spec);
        send({ ok: true, version: engine.version, openMs: performance.now() - t });
      } else if (m.cmd === 'infer') {
        const t = performance.now();
        const output = await engine!.run(m.input);
        send({ ok: true, output, ms: performance.now() - t });
      } else if (m.cmd === 'time') {
        const ms: number[] = [];
        const start = performance.now();
        do {
          const t = performance.now();
          await engine!.run(m.input);
          ms.push(performance.now() - t);
        } while (performance.now() - start < m.sliceMs && ms.length < m.maxIters);
        send({ ok: true, ms, rssMb: process.resourceUsage().maxRSS / 1024 });
      } else {
        process.exit(0);
      }
    } catch (e) {
      send({ ok: false, error: e instanceof Error ? `${e.message}` : String(e) });
    }
  })();
});
