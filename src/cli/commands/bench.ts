import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { Option, type Command } from 'commander';
import { MobilenetError } from '../../errors.js';
import type { Graph, Tensor, TypedArray } from '../../graph/index.js';
import type { ModelSpec } from '../../models/builders/spec.js';
import { DEFAULT_MODEL } from '../../models/zoo.js';
import { intOption } from '../options.js';

interface BenchOptions {
  model: string;
  modelDir?: string;
  threads: number;
  workers?: number;
  batch: number;
  runs: number;
  warmup: number;
  json?: boolean;
  cold: boolean;
  coldRuns: number;
  leakCheck?: number;
  profile?: boolean;
  coldChild?: boolean;
}

/** What one fresh process measures, in ms: see {@link coldStart}. */
interface ColdTimes {
  cold_start_ms: number;
  import_ms: number;
  load_ms: number;
  prepare_ms: number;
  first_inference_ms: number;
  since_process_start_ms: number;
}

/** `mobilenet bench`: latency, throughput, cold start and peak memory of one model in this engine. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('measure inference latency (median/min/max/p90), throughput, cold start and peak memory')
    .option('-m, --model <name|path|variant>', 'zoo name, model file or builder variant (e.g. v2-1.0-224)', DEFAULT_MODEL)
    .option('--model-dir <dir>', 'directory holding named models')
    .option('--threads <n>', 'threads for the session (each op split across them)', intOption, 1)
    .option('--workers <n>', 'throughput mode: n worker threads, each with its own single-threaded session, share each batch', intOption)
    .option('--batch <n>', 'images per timed run (back to back, or shared by the --workers)', intOption, 1)
    .option('--runs <n>', 'timed runs', intOption, 20)
    .option('--warmup <n>', 'untimed runs first', (v) => (v === '0' ? 0 : intOption(v)), 3)
    .option('--no-cold', 'skip the cold-start measurement in fresh processes')
    .option('--cold-runs <n>', 'fresh processes for the cold start (the median is reported)', intOption, 3)
    .option('--leak-check <n>', 'instead: run N inferences and report resident memory growth', intOption)
    .option('--profile', 'instead: time every node over --runs runs and print a per-op table')
    .option('--json', 'print one JSON object')
    .addOption(new Option('--cold-child').hideHelp())
    .action(async (o: BenchOptions) => {
      if (o.coldChild) {
        console.log(JSON.stringify(await coldStart(o)));
        return;
      }
      if (o.workers && o.threads !== 1) {
        throw new MobilenetError('--workers runs one single-threaded session per worker: use it without --threads');
      }
      if (o.workers && (o.leakCheck || o.profile)) throw new MobilenetError('--workers measures throughput only: drop --leak-check/--profile');
      const { latencyStats, leakCheck, peakRssMb } = await import('../../tasks/bench_stats.js');
      const t0 = performance.now();
      const { graph, source } = await openGraph(o);
      const input = syntheticInput(graph.tensors[graph.inputs[0]!]!);
      let firstMs: number;
      let perImage: number[];
      let kernels: string | null = null;
      if (o.workers) {
        const { SessionPool } = await import('../../runtime/session_pool.js');
        const pool = await SessionPool.create(graph, { workers: o.workers });
        try {
          const batch = Array.from({ length: o.batch }, () => input);
          await pool.runOne([input]);
          firstMs = performance.now() - t0;
          for (let i = 0; i < o.warmup; i++) await pool.run(batch);
          perImage = [];
          for (let i = 0; i < o.runs; i++) {
            const t = performance.now();
            await pool.run(batch);
            perImage.push((performance.now() - t) / o.batch);
          }
        } finally {
          await pool.dispose();
        }
      } else {
        if (o.profile) {
          const { formatProfile, Session } = await import('../../runtime/index.js');
          const s = new Session(graph, { threads: o.threads });
          const rows = s.profile(o.runs);
          s.dispose();
          console.log(o.json ? JSON.stringify(rows) : formatProfile(rows));
          return;
        }
        const { Model } = await import('../../tasks/model.js');
        const model = new Model({ graph, source, session: { threads: o.threads } });
        kernels = model.kernels;
        const run = () => model.run(input);
        run();
        firstMs = performance.now() - t0;
        if (o.leakCheck) {
          for (let i = 0; i < o.warmup; i++) run();
          const r = leakCheck(run, o.leakCheck, o.json ? undefined : (n) => process.stderr.write(`\r${n}/${o.leakCheck}`));
          if (!o.json) process.stderr.write('\n');
          const out = { model: o.model, threads: o.threads, ...r, peak_rss_mb: peakRssMb() };
          console.log(o.json ? JSON.stringify(out) : formatResult(out));
          return;
        }
        for (let i = 0; i < o.warmup; i++) run();
        perImage = [];
        for (let i = 0; i < o.runs; i++) {
          const t = performance.now();
          for (let b = 0; b < o.batch; b++) run();
          perImage.push((performance.now() - t) / o.batch);
        }
      }
      const stats = latencyStats(perImage);
      const cold = o.cold ? measureColdStart(o) : undefined;
      const t = graph.tensors[graph.inputs[0]!]!;
      const result = {
        model: o.model,
        source,
        input: `${t.dtype}[${t.shape.join(',')}]`,
        threads: o.threads,
        kernels,
        workers: o.workers ?? null,
        batch: o.batch,
        ...stats,
        throughput_ips: 1000 / stats.median_ms,
        first_inference_ms: firstMs,
        ...(cold ?? { cold_start_ms: null }),
        peak_rss_mb: peakRssMb(),
        node: process.version,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        date: new Date().toISOString(),
      };
      console.log(o.json ? JSON.stringify(result) : formatResult(result));
    });
}

/** Reads a model by zoo name or path, or builds a builder variant (e.g. v2-1.0-224, seeded random weights). */
async function openGraph(o: BenchOptions): Promise<{ graph: Graph; source: string }> {
  const spec = await variantOf(o.model);
  if (!spec) {
    const { loadGraph } = await import('../../tasks/load.js');
    return loadGraph(o.model, { modelDir: o.modelDir });
  }
  const { buildMobilenet } = await import('../../models/builders/index.js');
  return { graph: buildMobilenet(spec), source: `builder ${o.model}` };
}

/** The builder variant `model` names (e.g. v2-1.0-224), if it names one. */
async function variantOf(model: string): Promise<ModelSpec | undefined> {
  const { parseVariant } = await import('../../models/builders/spec.js');
  try {
    return parseVariant(model);
  } catch {
    return undefined;
  }
}

/**
 * A deterministic pseudo-random input of a tensor's dtype (values do not change the work done): 4093 pseudo-random
 * values repeated (a prime period, so rows and channels do not line up), cheap enough not to weigh on a cold start.
 */
function syntheticInput(t: Tensor): TypedArray {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const x = t.dtype === 'float32' ? new Float32Array(n) : t.dtype === 'int8' ? new Int8Array(n) : new Uint8Array(n);
  let s = 12345;
  const period = Math.min(n, 4093);
  for (let i = 0; i < period; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const r = s / 2 ** 32;
    x[i] = t.dtype === 'float32' ? r * 2 - 1 : Math.floor(r * 256) - (t.dtype === 'int8' ? 128 : 0);
  }
  for (let filled = period; filled < n; filled *= 2) x.copyWithin(filled, 0, Math.min(filled, n - filled));
  return x;
}

/**
 * In a fresh child process: the engine's cold start, timed from before its modules are imported (runtime, kernels,
 * model formats; only the CLI parser is loaded before) to the first inference's output in hand. It covers importing
 * the engine, reading and parsing the model file (with its labels), preparing the session (kernel choice, shape
 * inference, WebAssembly compile and instantiation, weight packing with the kernels' warm-up runs, arena) and the
 * first inference with the copy of its output. Nothing is cached on disk between runs. `since_process_start_ms` adds
 * Node's own start-up (and the CLI parser's).
 */
async function coldStart(o: BenchOptions): Promise<ColdTimes> {
  const t0 = performance.now();
  const spec = await variantOf(o.model);
  const [{ loadGraph }, { Model }, builders] = await Promise.all([
    import('../../tasks/load.js'), import('../../tasks/model.js'), spec ? import('../../models/builders/index.js') : undefined,
  ]);
  const t1 = performance.now();
  const { graph, source } = spec && builders
    ? { graph: builders.buildMobilenet(spec), source: o.model }
    : await loadGraph(o.model, { modelDir: o.modelDir });
  const t2 = performance.now();
  const model = new Model({ graph, source, session: { threads: o.threads } });
  const t3 = performance.now();
  const [y] = model.run(syntheticInput(model.input));
  const t4 = performance.now();
  if (!y?.length) throw new MobilenetError('cold start: the first inference gave no output');
  return {
    cold_start_ms: t4 - t0, import_ms: t1 - t0, load_ms: t2 - t1, prepare_ms: t3 - t2, first_inference_ms: t4 - t3,
    since_process_start_ms: t4,
  };
}

/** Median of each cold-start figure over `--cold-runs` fresh processes, with the wall time of the process. */
function measureColdStart(o: BenchOptions): Record<string, number | number[]> {
  const args = [process.argv[1]!, 'bench', '--cold-child', '--model', o.model, '--threads', String(o.threads)];
  if (o.modelDir) args.push('--model-dir', o.modelDir);
  const runs: (ColdTimes & { wall: number })[] = [];
  for (let i = 0; i < o.coldRuns; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const wall = performance.now() - t;
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) {
      throw new MobilenetError(`cold-start child failed (exit ${r.status}): ${r.stderr.trim().slice(0, 500)}`);
    }
    runs.push({ ...(JSON.parse(line) as ColdTimes), wall });
  }
  const median = (f: (r: (typeof runs)[number]) => number) => {
    const s = runs.map(f).sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  return {
    cold_start_ms: median((r) => r.cold_start_ms),
    cold_start_runs_ms: runs.map((r) => Math.round(r.cold_start_ms * 10) / 10),
    cold_import_ms: median((r) => r.import_ms),
    cold_load_ms: median((r) => r.load_ms),
    cold_prepare_ms: median((r) => r.prepare_ms),
    cold_first_inference_ms: median((r) => r.first_inference_ms),
    cold_since_process_start_ms: median((r) => r.since_process_start_ms),
    cold_process_ms: median((r) => r.wall),
  };
}

function formatResult(r: Record<string, unknown>): string {
  const f = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : Array.isArray(v) ? v.join(' ') : String(v));
  return Object.entries(r)
    .map(([k, v]) => `${k.padEnd(28)} ${f(v)}`)
    .join('\n');
}
