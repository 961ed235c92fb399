/** Order statistics of a set of latencies (milliseconds). */
export interface LatencyStats {
  runs: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  p90_ms: number;
  mean_ms: number;
}

/** The q-quantile (0..1) of sorted values, linearly interpolated. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Median, min, max, p90 and mean of latencies. */
export function latencyStats(ms: readonly number[]): LatencyStats {
  const s = [...ms].sort((a, b) => a - b);
  return {
    runs: s.length,
    median_ms: quantile(s, 0.5),
    min_ms: s[0] ?? NaN,
    max_ms: s[s.length - 1] ?? NaN,
    p90_ms: quantile(s, 0.9),
    mean_ms: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Result of {@link leakCheck}. */
export interface LeakCheck {
  inferences: number;
  rss_start_mb: number;
  rss_end_mb: number;
  rss_growth_pct: number;
  heap_start_mb: number;
  heap_end_mb: number;
}

/**
 * Runs `run` `n` times and reports resident memory before and after (after a warm-up the caller does);
 * garbage is collected first when Node runs with --expose-gc.
 */
export function leakCheck(run: () => void, n: number, onProgress?: (done: number) => void): LeakCheck {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const start = process.memoryUsage();
  for (let i = 0; i < n; i++) {
    run();
    if (onProgress && (i + 1) % 100 === 0) onProgress(i + 1);
  }
  gc?.();
  const end = process.memoryUsage();
  const mb = (b: number) => b / (1024 * 1024);
  return {
    inferences: n,
    rss_start_mb: mb(start.rss),
    rss_end_mb: mb(end.rss),
    rss_growth_pct: ((end.rss - start.rss) / start.rss) * 100,
    heap_start_mb: mb(start.heapUsed),
    heap_end_mb: mb(end.heapUsed),
  };
}
