import { MobilenetError, UnsupportedError } from '../errors.js';
import { parseLabels } from '../formats/labels.js';
import type { SessionOptions } from '../runtime/index.js';
import { graphFromBytes } from '../tasks/graph_bytes.js';
import { EngineClient } from './engine_client.js';
import type { ModelSummary } from './engine_protocol.js';
import { fitLabels } from './labels.js';
import { LocalModel } from './local_model.js';
import { Model, pageBackend, summaryOf } from './model.js';
import { LIBRARY_URL } from './worker_main.js';
import { WorkerPoolBackend } from './worker_pool.js';

/** Options of the browser {@link loadModel}. */
export interface WebLoadOptions {
  /** Labels for a model that carries none: the list, or the URL of a labels file (one per line). */
  labels?: string[] | string | URL;
  /**
   * Threads running the model (default 1; at most 32). More than one runs the model in a Web Worker with
   * `threads - 1` more workers sharing its WebAssembly memory, which needs a cross-origin isolated page (served
   * with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`).
   */
  threads?: number;
  /** Run the model in a Web Worker of its own, so the page stays responsive during inference (default: when
   * `threads > 1` or `workers > 1`; one thread in a worker needs no isolation). */
  worker?: boolean;
  /**
   * Throughput mode (default 1; at most 32): this many Web Workers each hold a copy of the model on one thread, and
   * each call goes to the least busy one, so calls made together (e.g. `Promise.all` over many images) run in
   * parallel. Needs no cross-origin isolation; not combined with `threads`.
   */
  workers?: number;
  /** The library's script, which the worker loads (default: the URL this module was loaded from). Set it when the
   * library is bundled into another script. */
  workerUrl?: string | URL;
  /** Runtime options (kernel variants); `threads` here is used when the option above is absent. */
  session?: SessionOptions;
  /** Largest width·height of an image to decode (default 50 megapixels). */
  maxPixels?: number;
  /** Aborts the download. */
  signal?: AbortSignal;
}

/** A model in the browser: its bytes, or the URL of a .tflite file on this page's origin. */
export type WebModelSource = Uint8Array | ArrayBuffer | Blob | string | URL;

function pageOrigin(): { href: string; origin: string } {
  const loc = (globalThis as { location?: Location }).location;
  if (!loc) throw new MobilenetError('loadModel with a URL needs a page (or worker) location; pass the model bytes instead');
  return { href: loc.href, origin: loc.origin };
}

/** Fetches a file from the page's own origin; other origins are refused. */
async function fetchSameOrigin(what: string, url: string | URL, signal?: AbortSignal): Promise<{ url: string; response: Response }> {
  const page = pageOrigin();
  let u: URL;
  try {
    u = new URL(url, page.href);
  } catch {
    throw new MobilenetError(`${what} URL '${String(url)}' is not a valid URL`);
  }
  if (u.origin !== page.origin) {
    throw new MobilenetError(`${what} URL '${u.href}' is not on this page's origin (${page.origin}); fetch it yourself and pass the bytes`);
  }
  let response: Response;
  try {
    response = await fetch(u, { credentials: 'same-origin', signal });
  } catch (err) {
    throw new MobilenetError(`${what} '${u.href}': download failed (${(err as Error).message})`);
  }
  if (!response.ok) throw new MobilenetError(`${what} '${u.href}': HTTP ${response.status} ${response.statusText}`.trim());
  return { url: u.href, response };
}

async function readSource(source: WebModelSource, signal?: AbortSignal): Promise<{ bytes: Uint8Array; name: string; ours: boolean }> {
  if (source instanceof Uint8Array) return { bytes: source, name: `<${source.length} bytes>`, ours: false };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: `<${source.byteLength} bytes>`, ours: false };
  if (typeof Blob === 'function' && source instanceof Blob) {
    const name = typeof File === 'function' && source instanceof File ? source.name : `<${source.size} bytes>`;
    return { bytes: new Uint8Array(await source.arrayBuffer()), name, ours: true };
  }
  if (typeof source === 'string' || source instanceof URL) {
    const { url, response } = await fetchSameOrigin('model', source, signal);
    return { bytes: new Uint8Array(await response.arrayBuffer()), name: url, ours: true };
  }
  throw new TypeError('loadModel: expected a Uint8Array, ArrayBuffer, Blob, File, URL string or URL');
}

async function readLabels(labels: WebLoadOptions['labels'], signal?: AbortSignal): Promise<{ list: string[]; where: string } | undefined> {
  if (labels === undefined) return undefined;
  if (Array.isArray(labels)) return { list: labels, where: 'labels list' };
  const { url, response } = await fetchSameOrigin('labels', labels, signal);
  return { list: parseLabels(await response.text()), where: `labels file '${url}'` };
}

/** The thread count asked for (`threads`, else `session.threads`), unchecked. */
function askedThreads(options: WebLoadOptions): number {
  return options.threads ?? options.session?.threads ?? 1;
}

/** The thread count of `options`, checked: threads beyond one need a worker and a cross-origin isolated page. */
function threadsOf(options: WebLoadOptions): number {
  const threads = askedThreads(options);
  if (!Number.isInteger(threads) || threads < 1 || threads > 32) {
    throw new UnsupportedError(`threads must be an integer from 1 to 32, got ${threads}`);
  }
  if (threads === 1) return 1;
  if (options.worker === false) throw new UnsupportedError(`threads: ${threads} run in a Web Worker; worker: false allows 1 thread only`);
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    throw new UnsupportedError(`threads: ${threads} need SharedArrayBuffer, which a page has only when cross-origin isolated: ` +
      "serve it with the headers 'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp' " +
      '(this page is not: crossOriginIsolated is false)');
  }
  return threads;
}

/** The worker count of `options`, checked. */
function workersOf(options: WebLoadOptions, threads: number): number {
  const n = options.workers ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new UnsupportedError(`workers must be an integer from 1 to 32, got ${n}`);
  if (n > 1 && threads > 1) throw new UnsupportedError(`workers: ${n} run one thread each: give workers or threads, not both`);
  if (n > 1 && options.worker === false) throw new UnsupportedError(`workers: ${n} run in Web Workers; worker: false allows 1 only`);
  return n;
}

/**
 * Loads a TFLite model in the browser, from its bytes (Uint8Array, ArrayBuffer, Blob, File) or from a URL on the
 * page's own origin, ready to classify. Labels embedded in the model are used unless `options.labels` is given.
 *
 * With `threads > 1` (or `worker: true`) the model runs in a Web Worker of its own, started from the library's
 * script, and with `workers > 1` in that many; call {@link Model.dispose} to stop them.
 *
 * @throws ModelFormatError for an empty, unrecognised or corrupt model, or labels that do not fit it;
 *   MobilenetError for a URL on another origin or a failed download; UnsupportedError for a bad thread or worker count, or
 *   threads on a page that is not cross-origin isolated (the message names the headers it needs).
 */
export async function loadModel(source: WebModelSource, options: WebLoadOptions = {}): Promise<Model> {
  const workers = workersOf(options, askedThreads(options));
  const threads = threadsOf(options);
  const inWorker = options.worker ?? (threads > 1 || workers > 1);
  const { bytes, name, ours } = await readSource(source, options.signal);
  const labels = await readLabels(options.labels, options.signal);
  const session: SessionOptions = { ...options.session, threads };
  if (!inWorker) {
    const graph = await graphFromBytes(bytes, name);
    if (labels) fitLabels(graph, labels.list, labels.where);
    const m = new LocalModel({ graph, source: name, session, maxPixels: options.maxPixels });
    return new Model(summaryOf(m), pageBackend(m), false);
  }
  const url = new URL(options.workerUrl ?? LIBRARY_URL, pageOrigin().href);
  const clients = Array.from({ length: workers }, () => new EngineClient(url, options.maxPixels));
  try {
    // The bytes are handed over to a single worker; several get copies.
    const summaries = await Promise.all(clients.map((client) => client.request<ModelSummary>(
      { op: 'load', bytes, source: name, labels, session, maxPixels: options.maxPixels },
      ours && workers === 1 ? [bytes.buffer as ArrayBuffer] : [],
    )));
    return new Model(summaries[0]!, workers === 1 ? clients[0]! : new WorkerPoolBackend(clients), true, workers);
  } catch (e) {
    for (const client of clients) client.dispose();
    throw e;
  }
}
