import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { Option, type Command } from 'commander';
import { MobilenetError } from '../../errors.js';
import type { TypedArray } from '../../graph/index.js';
import { allocate, numElements } from '../../graph/index.js';
import { buildMobilenet, parseVariant } from '../../models/builders/index.js';
import { latencyStats, leakCheck, peakRssMb } from '../../tasks/bench_stats.js';
import { formatProfile, Session } from '../../runtime/index.js';
import { loadModel } from '../../tasks/load.js';
import { DEFAULT_MODEL } from '../../models/zoo.js';
import { Model } from '../../tasks/model.js';
import { intOption } from '../options.js';

interface BenchOptions {
  model: string;
  modelDir?: string;
  threads: number;
  batch: number;
  runs: number;
  warmup: number;
  json?: boolean;
  cold: boolean;
  leakCheck?: number;
  profile?: boolean;
  coldChild?: boolean;
}

/** `mobilenet bench`: latency, throughput, cold start and peak memory of one model in this engine. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('measure inference latency (median/min/max/p90), throughput, cold start and peak memory')
    .option('-m, --model <name|path|variant>', 'zoo name, model file or builder variant (e.g. v2-1.0-224)', DEFAULT_MODEL)
    .option('--model-dir <dir>', 'directory holding named models')
    .option('--threads <n>', 'threads for the session', intOption, 1)
    .option('--batch <n>', 'images run back to back per timed run', intOption, 1)
    .option('--runs <n>', 'timed runs', intOption, 20)
    .option('--warmup <n>', 'untimed runs first', (v) => (v === '0' ? 0 : intOption(v)), 3)
    .option('--no-cold', 'skip the cold-start measurement in a fresh process')
    .option('--leak-check <n>', 'instead: run N inferences and report resident memory growth', intOption)
    .option('--profile', 'instead: time every node over --runs runs and print a per-op table')
    .option('--json', 'print one JSON object')
    .addOption(new Option('--cold-child').hideHelp())
    .action(async (o: BenchOptions) => {
      if (o.coldChild) {
        console.log(JSON.stringify(await coldStart(o)));
        return;
      }
      const t0 = performance.now();
      const model = await openModel(o);
      if (o.profile) {
        const s = new Session(model.graph, { threads: o.threads });
        const rows = s.profile(o.runs);
        s.dispose();
        console.log(o.json ? JSON.stringify(rows) : formatProfile(rows));
        return;
      }
      const input = syntheticInput(model);
      const run = () => model.run(input);
      run();
      const firstMs = performance.now() - t0;
      if (o.leakCheck) {
        for (let i = 0; i < o.warmup; i++) run();
        const r = leakCheck(run, o.leakCheck, o.json ? undefined : (n) => process.stderr.write(`\r${n}/${o.leakCheck}`));
        if (!o.json) process.stderr.write('\n');
        const out = { model: o.model, threads: o.threads, ...r, peak_rss_mb: peakRssMb() };
        console.log(o.json ? JSON.stringify(out) : formatResult(out));
        return;
      }
      for (let i = 0; i < o.warmup; i++) run();
      const perImage: number[] = [];
      for (let i = 0; i < o.runs; i++) {
        const t = performance.now();
        for (let b = 0; b < o.batch; b++) run();
        perImage.push((performance.now() - t) / o.batch);
      }
      const stats = latencyStats(perImage);
      const cold = o.cold ? measureColdStart(o) : undefined;
      const result = {
        model: o.model,
        source: model.source,
        input: `${model.input.dtype}[${model.input.shape.join(',')}]`,
        threads: o.threads,
        batch: o.batch,
        ...stats,
        throughput_ips: 1000 / stats.median_ms,
        first_inference_ms: firstMs,
        cold_start_ms: cold?.inProcess ?? null,
        cold_process_ms: cold?.wall ?? null,
        peak_rss_mb: peakRssMb(),
        node: process.version,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        date: new Date().toISOString(),
      };
      console.log(o.json ? JSON.stringify(result) : formatResult(result));
    });
}

/** Opens a builder variant (e.g. v2-1.0-224, seeded random weights) or a model by zoo name or path. */
async function openModel(o: BenchOptions): Promise<Model> {
  const session = { threads: o.threads };
  let spec;
  try {
    spec = parseVariant(o.model);
  } catch {
    return loadModel(o.model, { modelDir: o.modelDir, session });
  }
  return new Model({ graph: buildMobilenet(spec), source: `builder ${o.model}`, session });
}

/** A deterministic pseudo-random input of the model's dtype (values do not change the work done). */
function syntheticInput(model: Model): TypedArray {
  const t = model.input;
  const n = numElements(t.shape);
  const x = allocate(t.dtype, n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const r = s / 2 ** 32;
    if (t.dtype === 'float32') (x as Float32Array)[i] = r * 2 - 1;
    else if (t.dtype === 'uint8') (x as Uint8Array)[i] = Math.floor(r * 256);
    else if (t.dtype === 'int8') (x as Int8Array)[i] = Math.floor(r * 256) - 128;
  }
  return x;
}

/** In a child: read + load + prepare + first inference, timed from before the file is read. */
async function coldStart(o: BenchOptions): Promise<{ cold_start_ms: number }> {
  const t0 = performance.now();
  const model = await openModel(o);
  model.run(syntheticInput(model));
  return { cold_start_ms: performance.now() - t0 };
}

function measureColdStart(o: BenchOptions): { inProcess: number; wall: number } {
  const args = [process.argv[1]!, 'bench', '--cold-child', '--model', o.model, '--threads', String(o.threads)];
  if (o.modelDir) args.push('--model-dir', o.modelDir);
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = performance.now() - t;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new MobilenetError(`cold-start child failed (exit ${r.status}): ${r.stderr.trim().slice(0, 500)}`);
  }
  return { inProcess: (JSON.parse(line) as { cold_start_ms: number }).cold_start_ms, wall };
}

function formatResult(r: Record<string, unknown>): string {
  const f = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v));
  return Object.entries(r)
    .map(([k, v]) => `${k.padEnd(20)} ${f(v)}`)
    .join('\n');
}
