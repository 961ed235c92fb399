import type { LinearHead } from './export_tflite.js';
import { mulberry32 } from '../graph/random.js';

export type { LinearHead };

/** Options of {@link trainSoftmax}. */
export interface SoftmaxOptions {
  /** Most passes over the training vectors (default 500). */
  epochs?: number;
  /** 'sgd' (default): plain gradient descent; 'adam': Adam. */
  optimizer?: 'sgd' | 'adam';
  /** Mini-batch size (default: the whole training set for sgd, 32 for adam). */
  batchSize?: number;
  /** Step size (default 0.1 for sgd, 0.003 for adam). */
  learningRate?: number;
  /** L2 penalty on the weights, `l2/2·‖W‖²` (default 1e-3). */
  l2?: number;
  /** Stop after this many epochs without a lower validation loss (default 50). */
  patience?: number;
  /** Seed of the mini-batch shuffling (default 0). */
  seed?: number;
  /** Called after each epoch. */
  onEpoch?: (e: EpochStats) => void;
}

/** Loss and accuracy after one epoch. */
export interface EpochStats {
  epoch: number;
  epochs: number;
  loss: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** Labelled feature vectors; `y` holds class indices into the label list. */
export interface VectorSet {
  x: Float32Array[];
  y: number[];
}

/** Result of {@link trainSoftmax}. */
export interface SoftmaxResult {
  head: LinearHead;
  /** The epoch whose weights were kept (lowest validation loss; the last epoch without validation). */
  bestEpoch: number;
  epochsRun: number;
  history: EpochStats[];
}

/** Per-feature mean and standard deviation (a constant feature gets std 1). */
export function standardization(x: Float32Array[]): { mean: Float32Array; std: Float32Array } {
  const d = x[0]!.length;
  const mean = new Float32Array(d);
  const std = new Float32Array(d);
  const m = new Float64Array(d);
  for (const v of x) for (let j = 0; j < d; j++) m[j]! += v[j]!;
  for (let j = 0; j < d; j++) m[j]! /= x.length;
  const s = new Float64Array(d);
  for (const v of x) for (let j = 0; j < d; j++) s[j]! += (v[j]! - m[j]!) ** 2;
  for (let j = 0; j < d; j++) {
    mean[j] = m[j]!;
    const sd = Math.sqrt(s[j]! / x.length);
    std[j] = sd > 1e-6 ? sd : 1;
  }
  return { mean, std };
}

/** Class probabilities of a linear head for one feature vector. */
export function predictLinear(head: LinearHead, v: Float32Array): Float32Array {
  const d = v.length;
  const c = head.bias.length;
  const z = new Float64Array(d);
  for (let j = 0; j < d; j++) z[j] = head.mean && head.std ? (v[j]! - head.mean[j]!) / head.std[j]! : v[j]!;
  const logits = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    let s = head.bias[k]!;
    const row = k * d;
    for (let j = 0; j < d; j++) s += head.weights[row + j]! * z[j]!;
    logits[k] = s;
  }
  return Float32Array.from(softmax64(logits));
}

function softmax64(logits: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  const p = new Float64Array(logits.length);
  for (let k = 0; k < logits.length; k++) sum += p[k] = Math.exp(logits[k]! - max);
  for (let k = 0; k < logits.length; k++) p[k]! /= sum;
  return p;
}

/**
 * Softmax regression on standardised feature vectors: gradient descent (full batch by default, or seeded
 * mini-batches; plain or Adam) with an L2 penalty, and early stopping on the validation set (the weights of the epoch with the lowest validation loss are kept).
 */
export function trainSoftmax(train: VectorSet, labels: string[], val: VectorSet | undefined, o: SoftmaxOptions = {}): SoftmaxResult {
  const epochs = o.epochs ?? 500;
  const adam = o.optimizer === 'adam';
  const batch = o.batchSize ?? (adam ? 32 : train.x.length);
  const lr = o.learningRate ?? (adam ? 0.003 : 0.1);
  const l2 = o.l2 ?? 1e-3;
  const patience = o.patience ?? 50;
  const rnd = mulberry32(o.seed ?? 0);
  const { mean, std } = standardization(train.x);
  const d = mean.length;
  const c = labels.length;
  const standardize = (v: Float32Array) => {
    const z = new Float64Array(d);
    for (let j = 0; j < d; j++) z[j] = (v[j]! - mean[j]!) / std[j]!;
    return z;
  };
  const xs = train.x.map(standardize);
  const vs = val ? val.x.map(standardize) : [];
  const nP = c * d + c;
  const p = new Float64Array(nP); // weights then bias
  const g = new Float64Array(nP);
  const m1 = new Float64Array(nP);
  const m2 = new Float64Array(nP);
  let step = 0;
  const logitsOf = (z: Float64Array) => {
    const out = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      let s = p[c * d + k]!;
      for (let j = 0; j < d; j++) s += p[k * d + j]! * z[j]!;
      out[k] = s;
    }
    return out;
  };
  const evaluate = (zs: Float64Array[], ys: number[]) => {
    let loss = 0;
    let correct = 0;
    zs.forEach((z, i) => {
      const pr = softmax64(logitsOf(z));
      loss -= Math.log(Math.max(pr[ys[i]!]!, 1e-12));
      let best = 0;
      for (let k = 1; k < c; k++) if (pr[k]! > pr[best]!) best = k;
      if (best === ys[i]) correct++;
    });
    return { loss: loss / zs.length, accuracy: correct / zs.length };
  };
  const order = xs.map((_, i) => i);
  const history: EpochStats[] = [];
  let best = { epoch: 0, valLoss: Infinity, params: p.slice() };
  let epoch = 0;
  for (epoch = 1; epoch <= epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let b0 = 0; b0 < order.length; b0 += batch) {
      const idx = order.slice(b0, b0 + batch);
      g.fill(0);
      for (const i of idx) {
        const z = xs[i]!;
        const pr = softmax64(logitsOf(z));
        pr[train.y[i]!]! -= 1;
        for (let k = 0; k < c; k++) {
          const e = pr[k]! / idx.length;
          g[c * d + k]! += e;
          const row = k * d;
          for (let j = 0; j < d; j++) g[row + j]! += e * z[j]!;
        }
      }
      for (let q = 0; q < c * d; q++) g[q]! += l2 * p[q]!;
      step++;
      if (!adam) {
        for (let q = 0; q < nP; q++) p[q]! -= lr * g[q]!;
        continue;
      }
      const b1 = 0.9;
      const b2 = 0.999;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      for (let q = 0; q < nP; q++) {
        m1[q] = b1 * m1[q]! + (1 - b1) * g[q]!;
        m2[q] = b2 * m2[q]! + (1 - b2) * g[q]! * g[q]!;
        p[q]! -= (lr * (m1[q]! / c1)) / (Math.sqrt(m2[q]! / c2) + 1e-8);
      }
    }
    let reg = 0;
    for (let q = 0; q < c * d; q++) reg += p[q]! * p[q]!;
    const stats: EpochStats = { epoch, epochs, loss: evaluate(xs, train.y).loss + (l2 / 2) * reg };
    if (vs.length) {
      const v = evaluate(vs, val!.y);
      stats.valLoss = v.loss;
      stats.valAccuracy = v.accuracy;
      if (v.loss < best.valLoss) best = { epoch, valLoss: v.loss, params: p.slice() };
    }
    history.push(stats);
    o.onEpoch?.(stats);
    if (vs.length && epoch - best.epoch >= patience) break;
  }
  const epochsRun = Math.min(epoch, epochs);
  const final = vs.length ? best.params : p;
  const head: LinearHead = {
    weights: Float32Array.from(final.subarray(0, c * d)),
    bias: Float32Array.from(final.subarray(c * d)),
    labels: [...labels],
    mean,
    std,
  };
  return { head, bestEpoch: vs.length ? best.epoch : epochsRun, epochsRun, history };
}
