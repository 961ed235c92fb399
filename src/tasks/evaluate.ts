import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MobilenetError } from '../errors.js';
import type { ResizeConvention } from '../graph/index.js';
import type { Classifier } from './classifier.js';
import { topKIndices } from './scores.js';

/** One labelled image: its path and the true class index in the model's output space. */
export interface LabelledImage {
  path: string;
  label: number;
}

/** Per-class precision, recall and support. */
export interface ClassStats {
  label: string;
  index: number;
  precision: number;
  recall: number;
  support: number;
}

/** One classified image: its true class, the top-5 classes and their probabilities. */
export interface EvalPrediction {
  path: string;
  /** True class index. */
  label: number;
  /** The five best class indices, best first. */
  top5: number[];
  /** Probabilities of `top5`, in the same order. */
  scores: number[];
  /** Probability the model gave the true class. */
  labelScore: number;
}

/** Accuracy of a model over labelled images. */
export interface EvalResult {
  top1: number;
  top5: number;
  count: number;
  /** Images that could not be read, with the reason. */
  skipped: { path: string; error: string }[];
  per_class: ClassStats[];
  /** Every prediction, in input order. */
  predictions: EvalPrediction[];
}

/** Reads a labels CSV (`file,imagenet_index,tflite_index,...` with a header) into labelled images. */
export function readLabelsCsv(csvPath: string, imageDir: string, classes: number): LabelledImage[] {
  const text = readFileSync(csvPath, 'utf8');
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (rows.length < 2) throw new MobilenetError(`labels CSV '${csvPath}' has no data rows`);
  const header = splitCsvLine(rows[0]!).map((h) => h.trim().toLowerCase());
  const fileCol = header.findIndex((h) => h === 'file' || h === 'filename' || h === 'path' || h === 'image');
  const col =
    classes === 1001 && header.includes('tflite_index')
      ? header.indexOf('tflite_index')
      : classes === 1000 && header.includes('imagenet_index')
        ? header.indexOf('imagenet_index')
        : header.findIndex((h) => h === 'label' || h === 'index' || h === 'class_index');
  if (fileCol < 0 || col < 0) {
    throw new MobilenetError(
      `labels CSV '${csvPath}': need a 'file' column and a class index column ('tflite_index' for 1001-class models, 'imagenet_index' for 1000-class, or 'label'); header is: ${rows[0]}`,
    );
  }
  return rows.slice(1).map((line, i) => {
    const cells = splitCsvLine(line);
    const label = Number(cells[col]);
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new MobilenetError(`labels CSV '${csvPath}' line ${i + 2}: class index '${cells[col]}' is not in 0..${classes - 1}`);
    }
    return { path: resolve(imageDir, cells[fileCol]!), label };
  });
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Called after each image with the running top-1 accuracy. */
  onProgress?: (done: number, total: number, top1: number) => void;
  /** Overrides the model's crop/resize convention. */
  resize?: ResizeConvention;
}

/** Classifies every image and measures top-1/top-5 accuracy and per-class precision/recall. */
export async function evaluate(model: Classifier, items: LabelledImage[], options: EvaluateOptions = {}): Promise<EvalResult> {
  let top1 = 0;
  let top5 = 0;
  const skipped: EvalResult['skipped'] = [];
  const predictions: EvalResult['predictions'] = [];
  const background = model.labels?.[0] === 'background' && model.labels.length === 1001;
  for (const item of items) {
    try {
      const scores = await model.scores(item.path, options.resize);
      const best = topKIndices(scores, 5, background ? (i) => i !== 0 : undefined);
      if (best[0] === item.label) top1++;
      if (best.includes(item.label)) top5++;
      predictions.push({
        path: item.path,
        label: item.label,
        top5: best,
        scores: best.map((i) => scores[i]!),
        labelScore: scores[item.label] ?? 0,
      });
    } catch (e) {
      if (!(e instanceof MobilenetError)) throw e;
      skipped.push({ path: item.path, error: e.message });
    }
    const n = predictions.length;
    options.onProgress?.(n + skipped.length, items.length, n ? top1 / n : 0);
  }
  const n = predictions.length;
  return {
    top1: n ? top1 / n : 0,
    top5: n ? top5 / n : 0,
    count: n,
    skipped,
    per_class: perClass(model, predictions),
    predictions,
  };
}

function perClass(model: Classifier, preds: EvalResult['predictions']): ClassStats[] {
  const tp = new Map<number, number>();
  const predicted = new Map<number, number>();
  const support = new Map<number, number>();
  const inc = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const p of preds) {
    inc(support, p.label);
    inc(predicted, p.top5[0]!);
    if (p.top5[0] === p.label) inc(tp, p.label);
  }
  return [...support.keys()]
    .sort((a, b) => a - b)
    .map((index) => ({
      index,
      label: model.labelOf(index),
      precision: predicted.get(index) ? (tp.get(index) ?? 0) / predicted.get(index)! : 0,
      recall: (tp.get(index) ?? 0) / support.get(index)!,
      support: support.get(index)!,
    }));
}


/** A short name for an image path in reports. */
export function shortName(path: string): string {
  return join(basename(dirname(path)), basename(path));
}
