import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TypedArray } from '../src/graph/index.js';
import { latencyStats, quantile, type LatencyStats } from '../src/tasks/bench_stats.js';
import { Model } from '../src/tasks/model.js';
import type { EngineSpec } from './engines/engine.js';
import { graphOf } from './engines/graph_source.js';
import type { Request } from './worker.js';

// `npm run bench [-- --quick] [-- --case NAME]`: our engine and peer engines on the same machine in the same
// run, each engine in its own process, taking turns run by run; writes bench/results/latest.{md,json}.

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const data = process.env.MOBILENET_DATA ?? resolve(root, '..', 'shared', 'data');
const models = {
  v2u8: join(data, 'models', 'mobilenet_v2_1.0_224.uint8.tflite'),
  v3su8: join(data, 'models', 'mobilenet_v3_small_1.0_224.uint8.tflite'),
  v1f: join(data, 'models', 'mobilenet_v1_0.25_224_float', 'mobilenet_v1_0.25_224_1_default_1.tflite'),
  v2f: 'builder:v2-1.0-224',
};
const photo = join(data, 'images', 'dog.jpg');

interface Case {
  name: string;
  model: string;
  engines: EngineSpec[];
}
const e = (engine: string, model: string, threads = 1, relaxed = false): EngineSpec => ({ engine, model, threads, relaxed });
const CASES: Case[] = [
  { name: 'MobileNetV2 1.0 224 uint8, 1 thread', model: models.v2u8, engines: [e('ours', models.v2u8), e('tflite-web', models.v2u8), e('litert', models.v2u8), e('litert', models.v2u8, 2)] },
  { name: 'MobileNetV2 1.0 224 uint8, 2 threads', model: models.v2u8, engines: [e('ours', models.v2u8, 2), e('litert', models.v2u8, 2), e('ours', models.v2u8, 1)] },
  { name: 'MobileNetV3-small 1.0 224 uint8, 1 thread', model: models.v3su8, engines: [e('ours', models.v3su8), e('tflite-web', models.v3su8)] },
  { name: 'MobileNetV1 0.25 224 float32 (shared TFLite)', model: models.v1f, engines: [e('ours', models.v1f), e('ort', models.v1f), e('tfjs-wasm', models.v1f), e('ours', models.v1f, 1, true), e('ours', models.v1f, 2), e('ours', models.v1f, 2, true), e('ort', models.v1f, 2)] },
  { name: 'MobileNetV2 1.0 224 float32 (builder, seeded weights)', model: models.v2f, engines: [e('ours', models.v2f), e('ort', models.v2f), e('tfjs-wasm', models.v2f), e('ours', models.v2f, 1, true), e('ours', models.v2f, 2), e('ours', models.v2f, 2, true), e('ort', models.v2f, 2)] },
];

interface Row {
  engine: string;
  threads: number;
  version: string;
  stats?: LatencyStats;
  /** Median over the rounds of this engine's median in the round divided by the first engine's in the same round. */
  paired_ratio?: number;
  cold_ms?: number;
  peak_rss_mb?: number;
  check: string;
  error?: string;
}

class Worker {
  private readonly child: ChildProcess;
  private pending: ((m: Record<string, unknown>) => void) | undefined;
  constructor(readonly spec: EngineSpec) {
    const relaxed = spec.engine === 'litert' || spec.relaxed === true;
    const execArgv = relaxed && Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
    this.child = fork(join(here, 'worker.js'), [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let err = '';
    this.child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    this.child.on('message', (m: Record<string, unknown>) => this.pending?.(m));
    this.child.on('exit', (code) => this.pending?.({ ok: false, error: `worker exited (${code}): ${err.split('\n').filter((l) => !/^(INFO|WARNING)/.test(l)).join(' ').slice(-300)}` }));
  }
  ask(req: Request): Promise<Record<string, unknown>> {
    return new Promise((res, rej) => {
      this.pending = (m) => {
        this.pending = undefined;
        if (m.ok) res(m);
        else rej(new Error(String(m.error)));
      };
      this.child.send(req);
    });
  }
  close(): void {
    this.child.kill();
  }
}

function argmax(a: ArrayLike<number>): number {
  let k = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[k]!) k = i;
  return k;
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let md = 0;
  let mx = 0;
  for (let i = 0; i < b.length; i++) {
    md = Math.max(md, Math.abs(a[i]! - b[i]!));
    mx = Math.max(mx, Math.abs(b[i]!));
  }
  return md / mx;
}

async function runCase(c: Case, rounds: number, sliceMs: number): Promise<{ rows: Row[]; label: string }> {
  const model = new Model({ graph: await graphOf(c.model), source: c.model });
  const real = await model.preprocess(photo);
  const workers = c.engines.map((s) => new Worker(s));
  const rows: Row[] = c.engines.map((s) => ({ engine: s.engine, threads: s.threads, version: '', check: '' }));
  const live: number[] = [];
  let ref: TypedArray | undefined;
  let label = '';
  for (let i = 0; i < workers.length; i++) {
    const r = rows[i]!;
    try {
      const opened = await workers[i]!.ask({ cmd: 'open', spec: c.engines[i]! });
      r.version = String(opened.version);
      const first = await workers[i]!.ask({ cmd: 'infer', input: real });
      r.cold_ms = Number(opened.openMs) + Number(first.ms);
      const out = first.output as TypedArray;
      if (out.length !== model.output.shape.reduce((a, b) => a * b, 1)) throw new Error(`output has ${out.length} values`);
      const top = argmax(out as ArrayLike<number>);
      if (!ref) {
        ref = out;
        label = `${model.labelOf(top)} (index ${top})`;
        r.check = `reference: top-1 ${label}`;
      } else {
        const same = top === argmax(ref as ArrayLike<number>);
        const rd = out instanceof Float32Array ? `, max rel diff ${relDiff(out, ref as Float32Array).toExponential(1)}` : '';
        r.check = `${same ? 'top-1 agrees' : `TOP-1 DIFFERS (${model.labelOf(top)})`}${rd}`;
        if (!same) throw new Error(r.check);
      }
      live.push(i);
    } catch (err) {
      r.error = (err as Error).message;
      workers[i]!.close();
    }
    process.stderr.write(`  ${c.engines[i]!.engine}/${c.engines[i]!.threads}t: ${r.error ? `FAILED: ${r.error}` : `${r.version}; ${r.check}`}\n`);
  }
  const ms = new Map<number, number[]>(live.map((i) => [i, []]));
  const roundMedians = new Map<number, number[]>(live.map((i) => [i, []]));
  for (const i of live) await workers[i]!.ask({ cmd: 'time', input: real, sliceMs: 0, maxIters: 2 });
  for (let k = 0; k < rounds; k++) {
    const order = live.map((_, j) => live[(j + k) % live.length]!);
    for (const i of order) {
      const res = await workers[i]!.ask({ cmd: 'time', input: real, sliceMs, maxIters: 1000 });
      ms.get(i)!.push(...(res.ms as number[]));
      roundMedians.get(i)!.push(median(res.ms as number[]));
      rows[i]!.peak_rss_mb = Number(res.rssMb);
    }
    if ((k + 1) % 5 === 0 || k + 1 === rounds) process.stderr.write(`  round ${k + 1}/${rounds}\r`);
  }
  process.stderr.write('\n');
  const base = live[0] === 0 ? roundMedians.get(0)! : undefined;
  for (const i of live) {
    rows[i]!.stats = latencyStats(ms.get(i)!);
    if (base) rows[i]!.paired_ratio = median(roundMedians.get(i)!.map((m, k) => m / base[k]!));
    workers[i]!.close();
  }
  return { rows, label };
}

function median(a: number[]): number {
  return quantile([...a].sort((x, y) => x - y), 0.5);
}

function table(results: { name: string; rows: Row[] }[]): string {
  const f = (v: number | undefined, d = 1) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));
  const out: string[] = [];
  for (const r of results) {
    const base = r.rows[0]!.stats?.median_ms;
    out.push(`### ${r.name}`, '', '| engine | threads | median ms | min ms | p90 ms | runs | median ÷ first row | paired ratio | cold ms | peak RSS MB | check |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const row of r.rows) {
      const s = row.stats;
      const ratio = s && base ? `${(s.median_ms / base).toFixed(3)}` : '—';
      const name = row.error ? `${row.engine} (FAILED: ${row.error.slice(0, 120)})` : row.version;
      out.push(`| ${name} | ${row.threads} | ${f(s?.median_ms)} | ${f(s?.min_ms)} | ${f(s?.p90_ms)} | ${s?.runs ?? 0} | ${ratio} | ${f(row.paired_ratio, 3)} | ${f(row.cold_ms, 0)} | ${f(row.peak_rss_mb, 0)} | ${row.check} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const only = argv.includes('--case') ? argv[argv.indexOf('--case') + 1] : undefined;
  // Many short turns: a burst of load from elsewhere falls on every engine alike, and each round pairs them.
  const rounds = quick ? 10 : 40;
  const sliceMs = quick ? 75 : 200;
  const results: { name: string; rows: Row[]; label: string }[] = [];
  const t0 = performance.now();
  for (const c of CASES) {
    if (only && !c.name.toLowerCase().includes(only.toLowerCase())) continue;
    process.stderr.write(`${c.name}\n`);
    results.push({ name: c.name, ...(await runCase(c, rounds, sliceMs)) });
  }
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, date: new Date().toISOString() };
  const header = [
    `# Benchmark ${quick ? '(quick) ' : ''}— ${machine.date}`,
    '',
    `Node ${machine.node}, ${machine.cpu}, ${machine.cores} cores (shared machine). Latency per inference in ms, input ${photo.split('/').slice(-2).join('/')} preprocessed once; `,
    `each engine in its own process, engines take turns (${rounds} rounds of ≥${sliceMs} ms each). "cold" = load + compile + first inference in a fresh process.`,
    `Ratios are this row's median divided by the first row's (ours); below 1 means faster than ours. "Paired ratio" is the median over the rounds of the same ratio within each round (robust to load that comes and goes). Total ${((performance.now() - t0) / 1000).toFixed(0)} s.`,
    '',
    '',
  ].join('\n');
  const md = header + table(results);
  console.log(md);
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.md'), md + '\n');
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ machine, quick, rounds, sliceMs, cases: results }, null, 2) + '\n');
}

await main();
