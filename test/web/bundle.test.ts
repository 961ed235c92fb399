import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpDir } from '../helpers/data.js';
import { buildWeb } from './build.js';

const MAX_BYTES = 500 * 1024;

test('browser bundle: ESM, minified, at most 500 KB, no Node imports, WASM kernels embedded', () => {
  const out = join(tmpDir, 'web', 'bundle-check');
  buildWeb(out);
  const js = readFileSync(join(out, 'mobilenet.js'), 'utf8');
  const gzip = gzipSync(js, { level: 9 }).length;
  console.log(`# mobilenet.js ${js.length} bytes, ${gzip} bytes gzip`);
  assert.ok(js.length <= MAX_BYTES, `bundle is ${js.length} bytes, over ${MAX_BYTES}`);
  assert.ok(js.split('\n').length < 20, 'minified');
  assert.doesNotMatch(js, /\bfrom\s*["']node:|\bimport\s*\(?\s*["']node:/, 'imports a node: module');
  assert.doesNotMatch(js, /\brequire\s*\(/, 'calls require(');
  assert.doesNotMatch(js, /\bfrom\s*["']|\bimport\s*["']/, 'imports anything at all (it must stand alone)');
  assert.doesNotMatch(js, /sharp/, 'carries the Node image decoder');
  assert.match(js, /export\s*\{[^}]*\bloadModel\b/, 'exports loadModel');
  // "\0asm" in base64: the WebAssembly kernels travel inside the bundle.
  // The kernel modules are embedded gzip-compressed, base64-encoded.
  const modules = [...js.matchAll(/["'](H4sI[A-Za-z0-9+/=]+)["']/g)].map((m) => gunzipSync(Buffer.from(m[1]!, 'base64')));
  assert.ok(modules.length >= 2, `embeds the WebAssembly kernel modules (found ${modules.length})`);
  for (const m of modules) assert.deepEqual([...m.subarray(0, 4)], [0, 0x61, 0x73, 0x6d], 'a WebAssembly module');
  // Threads in browsers: the bundle is also the script of its workers, so the budget above counts them.
  assert.match(js, /mobilenet-ts:engine/, 'serves as the engine worker');
  assert.match(js, /mobilenet-ts:thread/, 'serves as a pool worker');
  assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.js')).sort(), ['app.js', 'mobilenet.js'], 'no other script');
  const app = readFileSync(join(out, 'app.js'), 'utf8');
  assert.match(app, /from\s*["']\.\/mobilenet\.js["']/, 'the page script imports the bundle beside it');
  assert.ok(app.length < 20_000, `page script is ${app.length} bytes`);
});
