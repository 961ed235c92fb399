import { MobilenetError, ModelFormatError } from '../errors.js';
import type { Graph } from '../graph/index.js';
import { numElements } from '../graph/index.js';
import { parseLabels } from '../formats/labels.js';
import type { SessionOptions } from '../runtime/index.js';
import { graphFromBytes } from '../tasks/graph_bytes.js';
import { Model } from './model.js';

/** Options of the browser {@link loadModel}. */
export interface WebLoadOptions {
  /** Labels for a model that carries none: the list, or the URL of a labels file (one per line). */
  labels?: string[] | string | URL;
  /** Runtime options (kernel variants, threads). */
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

async function readSource(source: WebModelSource, signal?: AbortSignal): Promise<{ bytes: Uint8Array; name: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: `<${source.length} bytes>` };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: `<${source.byteLength} bytes>` };
  if (typeof Blob === 'function' && source instanceof Blob) {
    const name = typeof File === 'function' && source instanceof File ? source.name : `<${source.size} bytes>`;
    return { bytes: new Uint8Array(await source.arrayBuffer()), name };
  }
  if (typeof source === 'string' || source instanceof URL) {
    const { url, response } = await fetchSameOrigin('model', source, signal);
    return { bytes: new Uint8Array(await response.arrayBuffer()), name: url };
  }
  throw new TypeError('loadModel: expected a Uint8Array, ArrayBuffer, Blob, File, URL string or URL');
}

async function attachLabels(graph: Graph, labels: WebLoadOptions['labels'], signal?: AbortSignal): Promise<void> {
  if (labels === undefined) return;
  let list: string[];
  let where = 'labels list';
  if (Array.isArray(labels)) {
    list = labels;
  } else {
    const { url, response } = await fetchSameOrigin('labels', labels, signal);
    list = parseLabels(await response.text());
    where = `labels file '${url}'`;
  }
  const out = graph.tensors[graph.outputs[0]!];
  const classes = out ? numElements(out.shape) : 0;
  // As in Node: a 1001-entry list starting with "background" serves a 1000-class model.
  const fitted = list.length === classes ? list : list.length === classes + 1 && list[0] === 'background' ? list.slice(1) : undefined;
  if (!fitted) throw new ModelFormatError(`${where} has ${list.length} labels but the model outputs ${classes} classes`);
  graph.meta.labels = fitted;
}

/**
 * Loads a TFLite model in the browser, from its bytes (Uint8Array, ArrayBuffer, Blob, File) or from a URL on the
 * page's own origin, ready to classify. Labels embedded in the model are used unless `options.labels` is given.
 *
 * @throws ModelFormatError for an empty, unrecognised or corrupt model, or labels that do not fit it;
 *   MobilenetError for a URL on another origin or a failed download.
 */
export async function loadModel(source: WebModelSource, options: WebLoadOptions = {}): Promise<Model> {
  const { bytes, name } = await readSource(source, options.signal);
  const graph = await graphFromBytes(bytes, name);
  await attachLabels(graph, options.labels, options.signal);
  return new Model({ graph, source: name, session: options.session, maxPixels: options.maxPixels });
}
