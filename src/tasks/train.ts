import type { ResizeConvention } from '../graph/index.js';
import { ImageError, MobilenetError, UnsupportedError } from '../errors.js';
import { decodeImage } from '../formats/image/index.js';
import type { ImageInput, Model } from './model.js';
import { embedInput } from './embed.js';
import { embedFiles } from './embed_files.js';
import { readClassFolders } from './dataset.js';
import { mulberry32, seedOf } from '../graph/random.js';
import { applyAugmentation, randomAugmentations } from './augment.js';
import { KnnClassifier } from './knn.js';
import { LinearClassifier } from './classifier.js';
import type { EpochStats, LinearHead, VectorSet } from './softmax_head.js';
import { trainSoftmax } from './softmax_head.js';

/** Options of {@link trainClassifier}. */
export interface TrainOptions {
  /** 'softmax' (default): softmax regression on standardised features; 'knn': cosine k-nearest neighbours. */
  head?: 'softmax' | 'knn';
  /** Fraction of each class held out for validation (default 0.2 for softmax, 0 for kNN). */
  valSplit?: number;
  /** Most epochs of softmax training (default 500, early stopping on the validation loss). */
  epochs?: number;
  /**
   * Softmax: after early stopping picked the epoch count, train again on all images (training and validation)
   * for that many epochs (default true).
   */
  refit?: boolean;
  /** Softmax: optimizer, step size, L2 penalty, mini-batch size, early-stopping patience (see {@link trainSoftmax}). */
  optimizer?: 'sgd' | 'adam';
  learningRate?: number;
  l2?: number;
  batchSize?: number;
  patience?: number;
  /** kNN: neighbours (default 10) and vote weighting (default 'distance'). */
  k?: number;
  weighting?: 'distance' | 'uniform';
  /** Augmented copies (random crop + mirror) of each training image (default 0). */
  augment?: number;
  /** Seed of the split, the shuffling and the augmentations (default 0). */
  seed?: number;
  /** Overrides the backbone's crop/resize convention. */
  resize?: ResizeConvention;
  /** Skip images larger than this many pixels (default: the decoder's 50 MP). */
  maxPixels?: number;
  /** Embedding cache folder, or false (default: $MOBILENET_CACHE/embeddings or ~/.cache/mobilenet-ts/embeddings). */
  cache?: string | false;
  /** Called after each image is embedded. */
  onImage?: (done: number, total: number) => void;
  /** Called after each softmax epoch. */
  onEpoch?: (e: EpochStats) => void;
}

/** A labelled training image. */
export interface Example {
  image: ImageInput;
  label: string;
}

/** What {@link trainClassifier} made and measured. */
export interface TrainResult {
  classifier: LinearClassifier | KnnClassifier;
  /** The softmax head (softmax only), ready for `exportClassifier`. */
  head?: LinearHead;
  labels: string[];
  /** Images used, per class and in all. */
  imagesPerClass: number[];
  images: number;
  /** Feature vectors trained on (images × (1 + augment), less the validation images). */
  trainVectors: number;
  /** Unusable images (not an image, corrupt, over the pixel limit), with the reason. */
  skipped: { path: string; error: string }[];
  validation?: { images: number; accuracy: number };
  /** Softmax: the epoch kept and the epochs run. */
  bestEpoch?: number;
  epochsRun?: number;
  cacheHits: number;
  seconds: { embed: number; fit: number };
}

/**
 * Trains a classifier head on a backbone's feature vectors, from a class-folder dataset (one sub-folder per
 * class, classes sorted by name) or a list of labelled images. Deterministic for a given seed.
 * @throws MobilenetError for a dataset with fewer than two classes, an empty class, or a class left without
 *   usable images; unusable images are skipped and listed in the result.
 */
export async function trainClassifier(model: Model, data: string | Example[], options: TrainOptions = {}): Promise<TrainResult> {
  const head = options.head ?? 'softmax';
  if (head !== 'softmax' && head !== 'knn') throw new MobilenetError(`train: unknown head '${String(head)}' (softmax or knn)`);
  const valSplit = options.valSplit ?? (head === 'softmax' ? 0.2 : 0);
  if (!(valSplit >= 0 && valSplit < 1)) throw new MobilenetError(`train: validation split must be in [0, 1), got ${valSplit}`);
  const augment = options.augment ?? 0;
  if (!Number.isInteger(augment) || augment < 0) throw new MobilenetError(`train: augment must be a whole number of copies, got ${augment}`);
  const seed = options.seed ?? 0;
  const t0 = Date.now();
  const { labels, items, skipped, cacheHits } = await embedAll(model, data, { ...options, augment, seed });
  const tEmbed = Date.now();

  const imagesPerClass = labels.map((_, c) => items.filter((it) => it.label === c).length);
  const empty = labels.filter((_, c) => imagesPerClass[c] === 0);
  if (empty.length) {
    throw new MobilenetError(`train: class${empty.length > 1 ? 'es' : ''} ${empty.map((l) => `'${l}'`).join(', ')} ha${empty.length > 1 ? 've' : 's'} no usable images (${skipped.length} skipped)`);
  }
  const isVal = splitValidation(items.map((it) => it.label), labels.length, valSplit, seed);
  const train: VectorSet = { x: [], y: [] };
  const val: VectorSet = { x: [], y: [] };
  items.forEach((it, i) => {
    if (isVal[i]) {
      val.x.push(it.vectors[0]!);
      val.y.push(it.label);
    } else {
      for (const v of it.vectors) {
        train.x.push(v);
        train.y.push(it.label);
      }
    }
  });
  const common = { labels, imagesPerClass, images: items.length, trainVectors: train.x.length, skipped, cacheHits };
  if (head === 'knn') {
    const knn = new KnnClassifier(model, { k: options.k, weighting: options.weighting });
    for (const l of labels) knn.labels.push(l);
    train.x.forEach((v, i) => knn.addVector(v, labels[train.y[i]!]!));
    const validation = val.x.length ? { images: val.x.length, accuracy: accuracy(val, (v) => knn.predictVector(v).index) } : undefined;
    return { ...common, classifier: knn, validation, cacheHits, seconds: secs(t0, tEmbed) };
  }
  const fit = {
    epochs: options.epochs,
    optimizer: options.optimizer,
    learningRate: options.learningRate,
    l2: options.l2,
    batchSize: options.batchSize,
    patience: options.patience,
    seed,
  };
  const r = trainSoftmax(train, labels, val.x.length ? val : undefined, { ...fit, onEpoch: options.onEpoch });
  const validation = val.x.length ? { images: val.x.length, accuracy: r.history[r.bestEpoch - 1]!.valAccuracy! } : undefined;
  let headOut = r.head;
  let trainVectors = train.x.length;
  if (val.x.length && options.refit !== false) {
    const all: VectorSet = { x: [], y: [] };
    for (const it of items) for (const v of it.vectors) (all.x.push(v), all.y.push(it.label));
    headOut = trainSoftmax(all, labels, undefined, { ...fit, epochs: r.bestEpoch }).head;
    trainVectors = all.x.length;
  }
  const classifier = new LinearClassifier(model, headOut);
  return { ...common, trainVectors, classifier, head: headOut, validation, bestEpoch: r.bestEpoch, epochsRun: r.epochsRun, seconds: secs(t0, tEmbed) };
}

function secs(t0: number, tEmbed: number): { embed: number; fit: number } {
  return { embed: (tEmbed - t0) / 1000, fit: (Date.now() - tEmbed) / 1000 };
}

function accuracy(set: VectorSet, predict: (v: Float32Array) => number): number {
  let ok = 0;
  set.x.forEach((v, i) => (ok += predict(v) === set.y[i] ? 1 : 0));
  return ok / set.x.length;
}

/** Marks round(n·fraction) images of each class (at least one, never all) as validation, by a seeded shuffle. */
export function splitValidation(labelOf: number[], classes: number, fraction: number, seed: number): boolean[] {
  const isVal = labelOf.map(() => false);
  if (fraction <= 0) return isVal;
  const rnd = mulberry32(seedOf(`split/${seed}`));
  for (let c = 0; c < classes; c++) {
    const idx = labelOf.flatMap((l, i) => (l === c ? [i] : []));
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const n = Math.min(idx.length - 1, Math.max(1, Math.round(idx.length * fraction)));
    for (const i of idx.slice(0, n)) isVal[i] = true;
  }
  return isVal;
}

interface Embedded {
  labels: string[];
  items: { label: number; vectors: Float32Array[] }[];
  skipped: { path: string; error: string }[];
  cacheHits: number;
}

async function embedAll(model: Model, data: string | Example[], o: TrainOptions & { augment: number; seed: number }): Promise<Embedded> {
  const fileOptions = { resize: o.resize, maxPixels: o.maxPixels, cache: o.cache, augment: o.augment, seed: o.seed };
  if (typeof data === 'string') {
    const ds = await readClassFolders(data);
    const r = await embedFiles(model, ds.files.map((f) => f.path), { ...fileOptions, onProgress: o.onImage });
    const labelOf = new Map(ds.files.map((f) => [f.path, f.label]));
    const items = r.files.map((f) => ({ label: labelOf.get(f.path)!, vectors: f.vectors }));
    return { labels: ds.labels, items, skipped: r.skipped, cacheHits: r.cacheHits };
  }
  if (!Array.isArray(data) || data.length === 0) throw new MobilenetError('train: no examples given');
  const labels = [...new Set(data.map((e) => String(e.label)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (labels.length < 2) throw new MobilenetError(`train: the examples have ${labels.length} label ('${labels[0]}'); a classifier needs at least two`);
  const items: Embedded['items'] = [];
  const skipped: Embedded['skipped'] = [];
  let cacheHits = 0;
  for (const [i, e] of data.entries()) {
    const label = labels.indexOf(String(e.label));
    const name = typeof e.image === 'string' ? e.image : `example ${i}`;
    try {
      if (typeof e.image === 'string') {
        const r = await embedFiles(model, [e.image], fileOptions);
        cacheHits += r.cacheHits;
        if (r.skipped.length) skipped.push(...r.skipped);
        else items.push({ label, vectors: r.files[0]!.vectors });
      } else {
        const rgb = e.image instanceof Uint8Array ? await decodeImage(e.image, { name, maxPixels: o.maxPixels }) : e.image;
        const views = [rgb, ...randomAugmentations(o.augment, seedOf(`${o.seed}/example/${i}`)).map((a) => applyAugmentation(rgb, a))];
        const vectors: Float32Array[] = [];
        for (const v of views) vectors.push(embedInput(model, await model.preprocess(v, o.resize)));
        items.push({ label, vectors });
      }
    } catch (err) {
      if (!(err instanceof ImageError || err instanceof UnsupportedError)) throw err;
      skipped.push({ path: name, error: err.message });
    }
    o.onImage?.(i + 1, data.length);
  }
  return { labels, items, skipped, cacheHits };
}
