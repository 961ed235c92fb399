import type { NodeProfile } from './session.js';

/** A per-node timing table (from {@link Session.profile}) as text: one line per node, then totals per kernel. */
export function formatProfile(rows: readonly NodeProfile[]): string {
  const total = rows.reduce((a, r) => a + r.medianMs, 0);
  const lines = rows.map((r) =>
    `${String(r.node).padStart(4)}  ${r.op.padEnd(18)} ${r.kernel.padEnd(34)} ${r.shape.padEnd(18)} ` +
    `${r.medianMs.toFixed(3).padStart(8)} ${r.minMs.toFixed(3).padStart(8)} ${((100 * r.medianMs) / (total || 1)).toFixed(1).padStart(5)}%`);
  const byKernel = new Map<string, { ms: number; n: number }>();
  for (const r of rows) {
    const k = byKernel.get(r.kernel) ?? { ms: 0, n: 0 };
    k.ms += r.medianMs;
    k.n++;
    byKernel.set(r.kernel, k);
  }
  const kernels = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms)
    .map(([k, v]) => `      ${k.padEnd(34)} ${String(v.n).padStart(3)} nodes ${v.ms.toFixed(3).padStart(8)} ms ${((100 * v.ms) / (total || 1)).toFixed(1).padStart(5)}%`);
  return [
    `node  ${'op'.padEnd(18)} ${'kernel'.padEnd(34)} ${'output'.padEnd(18)} median ms   min ms  share`,
    ...lines,
    `total of medians ${total.toFixed(3)} ms`,
    ...kernels,
  ].join('\n');
}
