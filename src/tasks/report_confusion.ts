import type { EvalPrediction } from './evaluate.js';

/** A confusion matrix cut down to the classes worth showing. */
export interface ConfusionMatrix {
  /** True classes, one per row, by class index. */
  rows: number[];
  /** Predicted classes, one per column: `rows` first (so the diagonal lines up), then the classes the rows' images were most often mistaken for. */
  cols: number[];
  /** `counts[r][c]`: images of true class `rows[r]` whose top-1 was `cols[c]`; an extra last row/column sums the rest when `otherRow`/`otherCol`. */
  counts: number[][];
  otherRow: boolean;
  otherCol: boolean;
  /** Distinct true classes and distinct predicted classes before the cut. */
  trueClasses: number;
  predictedClasses: number;
}

/** Limits of {@link confusionMatrix}. */
export interface ConfusionLimits {
  /** Most true classes shown as rows (default 30). */
  maxRows?: number;
  /** Most predicted classes shown as columns, including the row classes (default 34). */
  maxCols?: number;
}

const bump = (m: Map<number, number>, k: number, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

/**
 * Builds a confusion matrix of top-1 predictions. With many classes (e.g. 1000 ImageNet ones) the rows are the
 * true classes with the most errors (then the most images) whose confusions still fit as columns; the columns are
 * the row classes, then the classes their images were most often mistaken for. The rest is summed into an "other"
 * row and column, so every image is counted once.
 */
export function confusionMatrix(preds: readonly EvalPrediction[], limits: ConfusionLimits = {}): ConfusionMatrix {
  const maxRows = limits.maxRows ?? 30;
  const maxCols = Math.max(limits.maxCols ?? 34, maxRows);
  const support = new Map<number, number>();
  const errors = new Map<number, number>();
  const predicted = new Map<number, number>();
  for (const p of preds) {
    bump(support, p.label);
    bump(predicted, p.top5[0]!);
    if (p.top5[0] !== p.label) bump(errors, p.label);
  }
  const byWeight = (w: Map<number, number>, tie: Map<number, number>) => (a: number, b: number) =>
    (w.get(b) ?? 0) - (w.get(a) ?? 0) || (tie.get(b) ?? 0) - (tie.get(a) ?? 0) || a - b;
  const rows = pickRows(preds, support, byWeight(errors, support), maxRows, maxCols);
  const rowSet = new Set(rows);
  const fromRows = new Map<number, number>();
  for (const p of preds) if (rowSet.has(p.label) && !rowSet.has(p.top5[0]!)) bump(fromRows, p.top5[0]!);
  const extra = [...fromRows.keys()].sort(byWeight(fromRows, predicted));
  const cols = [...rows, ...extra.slice(0, maxCols - rows.length)];
  const otherRow = support.size > rows.length;
  const otherCol = predicted.size > cols.filter((c) => predicted.has(c)).length;
  const rowOf = new Map(rows.map((c, i) => [c, i]));
  const colOf = new Map(cols.map((c, i) => [c, i]));
  const counts = Array.from({ length: rows.length + (otherRow ? 1 : 0) }, () => new Array<number>(cols.length + (otherCol ? 1 : 0)).fill(0));
  for (const p of preds) {
    const r = rowOf.get(p.label) ?? rows.length;
    const c = colOf.get(p.top5[0]!) ?? cols.length;
    counts[r]![c]!++;
  }
  return { rows, cols, counts, otherRow, otherCol, trueClasses: support.size, predictedClasses: predicted.size };
}

/**
 * All true classes when they fit; else, most errors first, the classes whose row and the columns of what they were
 * mistaken for still fit in `maxCols`, so the shown rows' confusions get columns of their own. Sorted by index.
 */
function pickRows(
  preds: readonly EvalPrediction[],
  support: Map<number, number>,
  order: (a: number, b: number) => number,
  maxRows: number,
  maxCols: number,
): number[] {
  if (support.size <= maxRows) return [...support.keys()].sort((a, b) => a - b);
  const mistakes = new Map<number, Set<number>>();
  for (const p of preds) {
    if (p.top5[0] === p.label) continue;
    if (!mistakes.has(p.label)) mistakes.set(p.label, new Set());
    mistakes.get(p.label)!.add(p.top5[0]!);
  }
  const rows: number[] = [];
  const cols = new Set<number>();
  for (const c of [...support.keys()].sort(order)) {
    if (rows.length === maxRows) break;
    const need = [c, ...(mistakes.get(c) ?? [])].filter((x) => !cols.has(x));
    if (rows.length > 0 && cols.size + need.length > maxCols) continue;
    rows.push(c);
    for (const x of need) cols.add(x);
  }
  return rows.sort((a, b) => a - b);
}
