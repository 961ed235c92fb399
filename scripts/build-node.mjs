// Builds the Node command line as a few ESM bundles (faster start: a handful of files to load instead of ~90
// modules): `node scripts/build-node.mjs [--outdir DIR]` (default dist/node).
//   cli.js                  the CLI (src/cli/main.ts): the argument parser and the subcommand definitions
//   <name>-<hash>.js        what the subcommands import on demand (the engine, formats, ...), shared by the entries
//   worker.js               thread-pool worker, found beside the runtime (the runtime's chunk has new URL('./worker.js', import.meta.url))
//   session_pool_worker.js  SessionPool worker, found the same way
// Split rather than one file so that what a subcommand does not use is not loaded, and so that bench's cold start
// still times the engine's import. sharp stays an import of the installed package (native).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--outdir');
const outdir = resolve(at > 0 ? process.argv[at + 1] : join(root, 'dist', 'node'));
rmSync(outdir, { recursive: true, force: true });

// Bundled CommonJS dependencies (commander) call require() for Node's modules.
const banner = "import { createRequire as __mobilenetRequire } from 'node:module';\nconst require = __mobilenetRequire(import.meta.url);";
await build({
  entryPoints: {
    cli: join(root, 'src/cli/main.ts'),
    worker: join(root, 'src/runtime/worker.ts'),
    session_pool_worker: join(root, 'src/runtime/session_pool_worker.ts'),
  },
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
});
