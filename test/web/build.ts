import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../helpers/data.js';

/** Runs `scripts/build-web.mjs` into `outdir` (each test file its own, so they can run in parallel). */
export function buildWeb(outdir: string): string {
  const r = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'build-web.mjs'), '--outdir', outdir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-web failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}
