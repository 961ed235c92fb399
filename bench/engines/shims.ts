import { copyFileSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const g = globalThis as Record<string, unknown>;

/** Scripts the shimmed importScripts loaded (tells which WASM build an engine chose). */
export const loadedScripts: string[] = [];

/** Absolute path of a file inside an installed package. */
export function packageFile(pkg: string, ...parts: string[]): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), ...parts);
}

/** Version of an installed package. */
export function packageVersion(pkg: string): string {
  return (JSON.parse(readFileSync(packageFile(pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Makes browser-only Emscripten loaders work in Node: `self`, `location`, `navigator`, an `importScripts`
 * that loads a package's script from node_modules as CommonJS (copied beside a link to its .wasm, so threaded
 * builds can start worker_threads on it) and publishes its factory under `globalName`, and a `fetch` that
 * serves local paths from disk. Nothing goes to the network.
 */
export function installBrowserShims(wasmDir: string, globalName: string, rename: (file: string) => string = (f) => f): void {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-wasm-'));
  g.self ??= globalThis;
  g.location ??= { origin: 'file://', href: 'file:///' };
  g.navigator ??= { hardwareConcurrency: 2, userAgent: 'node' };
  g.importScripts = (url: string) => {
    const file = rename(basename(url.startsWith('file:') ? fileURLToPath(url) : url));
    const src = join(wasmDir, file);
    const base = basename(file, '.js');
    const dst = join(tmp, `${base}.cjs`);
    if (!existsSync(dst)) {
      copyFileSync(src, dst);
      const wasm = join(wasmDir, `${base}.wasm`);
      if (existsSync(wasm)) symlinkSync(wasm, join(tmp, `${base}.wasm`));
    }
    loadedScripts.push(file);
    g[globalName] = require(dst);
  };
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const s = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (/^https?:/.test(s)) return realFetch(input, init);
    const path = s.startsWith('file:') ? fileURLToPath(s) : s;
    const local = existsSync(path) ? path : join(wasmDir, basename(path));
    return new Response(readFileSync(local), { headers: { 'content-type': local.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream' } });
  }) as typeof fetch;
}
