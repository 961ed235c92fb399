import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import { MobilenetError } from '../errors.js';
import { readTflite } from '../formats/tflite/index.js';
import { findLabelsFile } from '../tasks/labels_lookup.js';

/*
 * Node only: the static server of the browser page (`mobilenet serve-web`). It serves the built page and bundle
 * from `webDir`, and the .tflite files found in `modelDir` (with a labels file beside them when the model carries
 * none) under /models/, listed in /models/index.json. Nothing else of the file system is reachable.
 */

/** Options of {@link startWebServer}. */
export interface WebServerOptions {
  /** The built page and bundle (`npm run build:web` output). */
  webDir: string;
  /** Folder searched (three levels deep) for .tflite models to serve; none when absent. */
  modelDir?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
}

/** A model offered to the page. */
export interface ServedModel {
  name: string;
  url: string;
  bytes: number;
  labels?: string;
}

/** A running server. */
export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.tflite': 'application/octet-stream',
};

/** Cross-origin isolation (SharedArrayBuffer for threads) and a strict same-origin policy for everything. */
const HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' blob: data:; style-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'",
};

function tfliteFiles(dir: string, depth = 0): string[] {
  if (depth > 3) return [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    if (n.startsWith('.')) continue;
    const p = join(dir, n);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) out.push(...tfliteFiles(p, depth + 1));
    else if (st.isFile() && /\.tflite$/i.test(n)) out.push(p);
  }
  return out;
}

function urlPath(rel: string): string {
  return 'models/' + rel.split(sep).map(encodeURIComponent).join('/');
}

function inside(dir: string, p: string): boolean {
  const r = relative(dir, p);
  return r !== '' && !r.startsWith('..') && !resolve(dir, r).includes('\0');
}

const labelsCache = new Map<string, boolean | undefined>();

/** Whether a model carries its own labels (undefined: not a readable .tflite); cached by path, size and time. */
function embeddedLabels(path: string): boolean | undefined {
  const st = statSync(path);
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  if (!labelsCache.has(key)) {
    let v: boolean | undefined;
    try {
      v = !!readTflite(new Uint8Array(readFileSync(path)), { source: path }).meta.labels;
    } catch {
      v = undefined;
    }
    labelsCache.set(key, v);
  }
  return labelsCache.get(key);
}

/** Lists the models of `dir` and the files they make reachable (model and labels paths by URL path). */
function scanModels(dir: string): { models: ServedModel[]; files: Map<string, string> } {
  const models: ServedModel[] = [];
  const files = new Map<string, string>();
  for (const path of tfliteFiles(dir)) {
    const rel = relative(dir, path);
    const entry: ServedModel = { name: rel.replace(/\.tflite$/i, '').split(sep).pop()!, url: urlPath(rel), bytes: statSync(path).size };
    const hasLabels = embeddedLabels(path);
    if (hasLabels === undefined) continue; // not a model this engine reads: not offered
    files.set(entry.url, path);
    const labels = hasLabels ? undefined : findLabelsFile(path);
    if (labels && inside(dir, labels)) {
      entry.labels = urlPath(relative(dir, labels));
      files.set(entry.labels, labels);
    }
    models.push(entry);
  }
  return { models, files };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string): void {
  const size = statSync(path).size;
  res.writeHead(200, { ...HEADERS, 'Content-Type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(path).on('error', () => res.destroy()).pipe(res);
}

/**
 * Starts the page's static server. Resolves once listening; `url` ends with a slash.
 *
 * @throws MobilenetError when `webDir` holds no built page, or the port cannot be bound.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const webDir = resolve(options.webDir);
  for (const f of ['index.html', 'app.js', 'mobilenet.js']) {
    if (!existsSync(join(webDir, f))) throw new MobilenetError(`web page folder '${webDir}' has no ${f} (run npm run build:web)`);
  }
  const modelDir = options.modelDir ? resolve(options.modelDir) : undefined;
  if (modelDir && !existsSync(modelDir)) throw new MobilenetError(`model folder '${modelDir}' not found`);
  let scan = modelDir ? scanModels(modelDir) : { models: [], files: new Map<string, string>() };

  const server = createServer((req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      }
      const path = new URL(req.url ?? '/', 'http://localhost').pathname.slice(1);
      if (path === 'models/index.json') {
        if (modelDir) scan = scanModels(modelDir);
        return send(res, 200, TYPES['.json']!, JSON.stringify(scan.models));
      }
      if (path.startsWith('models/')) {
        const file = scan.files.get(path);
        return file && existsSync(file) ? sendFile(req, res, file) : send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
      }
      const name = decodeURIComponent(path || 'index.html');
      const file = resolve(webDir, name);
      if (!inside(webDir, file) || !existsSync(file) || !statSync(file).isFile()) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
      sendFile(req, res, file);
    } catch {
      if (!res.headersSent) send(res, 400, 'text/plain; charset=utf-8', 'bad request\n');
      else res.destroy();
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(new MobilenetError(`cannot listen on ${host}:${options.port ?? 8080} (${e.code ?? e.message})`)),
    );
    server.listen(options.port ?? 8080, host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
