// Builds the Node command line and library as ESM bundles (faster start: a handful of files to load instead of ~90
// modules): `node scripts/build-node.mjs [--outdir DIR]` (default dist/node); `npm run build` runs it after tsc.
//   cli.js                  the CLI (src/cli/main.ts): the argument parser and the subcommand definitions
//   <name>-<hash>.js        chunks the subcommands import on demand (the engine, formats, ...)
//   index.js                the library (src/index.ts), built apart with the two workers
//   worker.js               thread-pool worker script, found beside the runtime's chunk (new URL('./worker.js', ...))
//   session_pool_worker.js  SessionPool worker script, found the same way
// Split rather than one file so that what a subcommand does not use is not loaded, and so that bench's cold start
// still times the engine's import. sharp stays an import of the installed package (native).
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--outdir');
const outdir = resolve(at > 0 ? process.argv[at + 1] : join(root, 'dist', 'node'));
mkdirSync(outdir, { recursive: true });

// fflate sets up its tables when imported (about 10 ms in a cold process) and is imported by modules every command
// loads, though few runs inflate anything: in the bundle it is initialised on first use.
const lazyFflate = join(root, 'scripts', 'fflate_lazy.mjs');
const fflateOnFirstUse = {
  name: 'fflate-on-first-use',
  setup(b) {
    b.onResolve({ filter: /^fflate$/ }, (args) => (args.importer === lazyFflate ? undefined : { path: lazyFflate }));
  },
};

// Bundled CommonJS dependencies (commander) call require() for Node's modules.
const banner = "import { createRequire as __mobilenetRequire } from 'node:module';\nconst require = __mobilenetRequire(import.meta.url);";
const options = {
  outdir,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['sharp'],
  banner: { js: banner },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [fflateOnFirstUse],
};
// The CLI is built on its own: chunks shared with the other entries would cut the code a command loads into more
// files. Both builds name chunks by content, so a name both write holds the same code.
const builds = await Promise.all([
  build({ ...options, entryPoints: { cli: join(root, 'src/cli/main.ts') } }),
  build({
    ...options,
    entryPoints: {
      index: join(root, 'src/index.ts'),
      worker: join(root, 'src/runtime/worker.ts'),
      session_pool_worker: join(root, 'src/runtime/session_pool_worker.ts'),
    },
  }),
]);
// Chunks of earlier builds go once the new files are in place (the folder is never empty while a build runs).
const built = new Set(builds.flatMap((r) => Object.keys(r.metafile.outputs)).map((f) => relative(outdir, resolve(f))));
for (const f of readdirSync(outdir)) if (!built.has(f)) rmSync(join(outdir, f), { recursive: true, force: true });
