// Builds the browser bundle and the demo page: `node scripts/build-web.mjs [--outdir DIR]` (default dist/web).
//   mobilenet.js  the library (src/web/index.ts): ESM, minified, WASM kernels embedded, no weights
//   app.js        the page script (src/web/page/app.ts), importing ./mobilenet.js
//   index.html, style.css
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--outdir');
const outdir = resolve(at > 0 ? process.argv[at + 1] : join(root, 'dist', 'web'));
const pageDir = join(root, 'src', 'web', 'page');
mkdirSync(outdir, { recursive: true });

const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, keepNames: true, logLevel: 'warning', legalComments: 'none' };

await build({ ...common, entryPoints: [join(root, 'src', 'web', 'index.ts')], outfile: join(outdir, 'mobilenet.js') });

// The page imports the library as '../index.js' (for types); in the build that is the sibling bundle.
const libraryIsExternal = {
  name: 'library-is-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: './mobilenet.js', external: true }));
  },
};
await build({ ...common, entryPoints: [join(pageDir, 'app.ts')], outfile: join(outdir, 'app.js'), plugins: [libraryIsExternal] });

for (const f of ['index.html', 'style.css']) copyFileSync(join(pageDir, f), join(outdir, f));

const js = readFileSync(join(outdir, 'mobilenet.js'));
console.log(`${join(outdir, 'mobilenet.js')}: ${js.length} bytes, ${gzipSync(js, { level: 9 }).length} gzip`);
