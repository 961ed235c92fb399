import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, latencyStats } from '../../src/tasks/bench_stats.js';
import { sharedTflite } from '../helpers/data.js';
import { runCli } from '../helpers/cli.js';

test('bench --json on a shared TFLite model: one object with the latency fields, a cold start and memory', async () => {
  const r = await runCli(['bench', '--model', sharedTflite.v1_025_128_quant, '--runs', '4', '--warmup', '1', '--batch', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout) as Record<string, number | string>;
  for (const k of ['median_ms', 'min_ms', 'max_ms', 'p90_ms', 'cold_start_ms', 'throughput_ips', 'peak_rss_mb']) {
    assert.equal(typeof o[k], 'number', k);
    assert.ok((o[k] as number) > 0, `${k} = ${o[k]}`);
  }
  assert.equal(o.runs, 4);
  assert.equal(o.batch, 2);
  assert.equal(o.threads, 1);
  assert.ok((o.min_ms as number) <= (o.median_ms as number) && (o.median_ms as number) <= (o.max_ms as number));
  assert.equal(o.input, 'uint8[1,128,128,3]');
  assert.match(String(o.node), /^v\d+/);
});

test('bench --leak-check on a builder variant reports resident memory at start and end', async () => {
  const r = await runCli(['bench', '--model', 'v1-0.25-128', '--leak-check', '30', '--warmup', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout) as Record<string, number>;
  assert.equal(o.inferences, 30);
  assert.ok(o.rss_start_mb! > 0 && o.rss_end_mb! > 0);
  assert.ok(Math.abs(o.rss_growth_pct! - ((o.rss_end_mb! - o.rss_start_mb!) / o.rss_start_mb!) * 100) < 1e-6);
});

test('the CLI runs the relaxed-SIMD kernels unless MOBILENET_RELAXED_SIMD=0', async () => {
  const args = ['bench', '--model', 'v1-0.25-128', '--runs', '1', '--warmup', '0', '--no-cold', '--json'];
  const kernels = async (env: Record<string, string>): Promise<unknown> => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as Record<string, unknown>).kernels;
  };
  assert.equal(await kernels({}), 'relaxed');
  assert.equal(await kernels({ MOBILENET_RELAXED_SIMD: '0' }), 'simd128');
});

test('bench names a missing model file', async () => {
  const r = await runCli(['bench', '--model', 'no-such-model.tflite', '--runs', '1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no-such-model\.tflite/);
});

test('latency statistics: median, p90 and extremes of known values', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  const s = latencyStats([5, 1, 4, 2, 3, 10, 6, 7, 8, 9]);
  assert.deepEqual([s.runs, s.min_ms, s.max_ms, s.median_ms], [10, 1, 10, 5.5]);
  assert.ok(Math.abs(s.p90_ms - 9.1) < 1e-9);
});
