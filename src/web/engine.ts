// The engine worker: a dedicated Web Worker that holds one model and runs it for the page, so inference never blocks
// the page, and that may block itself, as a thread pool's caller must (Atomics.wait is refused on a page's main
// thread). Its pool workers are Web Workers it starts.
import { UnsupportedError } from '../errors.js';
import type { Tensor } from '../graph/index.js';
import { sharedMemorySupported } from '../kernels/wasm/module.js';
import { threadsStarted } from '../runtime/thread_pool.js';
import { graphFromBytes } from '../tasks/graph_bytes.js';
import { buffersOf, errorData, type EngineRequest, type EngineResponse, type ModelSummary } from './engine_protocol.js';
import { fitLabels } from './labels.js';
import { LocalModel } from './local_model.js';

/** The parts of a dedicated worker's global scope the engine uses. */
export interface EngineScope {
  addEventListener(type: 'message', f: (e: MessageEvent) => void): void;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

function withoutData(t: Tensor): Tensor {
  const { data: _, ...rest } = t;
  return rest;
}

/** Answers the page's requests on `scope` (see engine_protocol.ts). */
export function serveEngine(scope: EngineScope): void {
  let model: LocalModel | undefined;
  const loaded = (): LocalModel => {
    if (!model) throw new UnsupportedError('the engine worker has no model loaded');
    return model;
  };

  async function answer(req: EngineRequest): Promise<[unknown, Transferable[]]> {
    switch (req.op) {
      case 'load': {
        if (model) throw new UnsupportedError('the engine worker already holds a model');
        const threads = req.session.threads ?? 1;
        if (threads > 1 && !sharedMemorySupported()) {
          throw new UnsupportedError(`threads: ${threads} need a shared WebAssembly memory, which this worker does not get (is the page cross-origin isolated?)`);
        }
        const graph = await graphFromBytes(req.bytes, req.source);
        if (req.labels) fitLabels(graph, req.labels.list, req.labels.where);
        model = new LocalModel({ graph, source: req.source, session: req.session, maxPixels: req.maxPixels });
        const workers = await threadsStarted();
        const summary: ModelSummary = {
          source: model.source, labels: model.labels, input: withoutData(model.input), output: withoutData(model.output),
          threads: 1 + workers,
        };
        return [summary, []];
      }
      case 'scores': {
        const s = await loaded().scores(req.image, req.resize);
        return [s, [s.buffer]];
      }
      case 'classify':
        return [await loaded().classify(req.image, req.options), []];
      case 'run': {
        const out = loaded().run(req.inputs, req.fetch);
        return [out, buffersOf(out)];
      }
    }
  }

  scope.addEventListener('message', (e) => {
    const req = e.data as EngineRequest;
    answer(req).then(
      ([value, transfer]) => scope.postMessage({ id: req.id, ok: true, value } satisfies EngineResponse, transfer),
      (err: unknown) => scope.postMessage({ id: req.id, ok: false, error: errorData(err) } satisfies EngineResponse, []),
    );
  });
}
