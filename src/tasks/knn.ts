import { MobilenetError, ModelFormatError } from '../errors.js';
import type { ClassifyOptions, ImageInput, Model, Prediction } from './model.js';
import type { Classifier } from './classifier.js';
import { embed, embedInput, l2Normalize } from './embed.js';
import type { ResizeConvention, TypedArray } from '../graph/index.js';
import { backboneIdentity } from './identity.js';
import { topKIndices, topPredictions } from './scores.js';
import { parseJsonObject } from '../formats/json_object.js';

/** Neighbours that vote by default. */
export const DEFAULT_K = 10;

/** The kNN head file format name (`format` field). */
export const KNN_FORMAT = 'mobilenet-ts-knn';

/** A saved kNN classifier (docs/knn-format.md). */
export interface KnnJson {
  format: typeof KNN_FORMAT;
  version: 1;
  backbone: { sha256: string | null; name: string; featureTensor: string; dim: number };
  k: number;
  weighting?: 'distance' | 'uniform';
  labels: string[];
  examples: { label: string; vector: string | number[] }[];
}

/** Options of {@link KnnClassifier}. */
export interface KnnOptions {
  /** Neighbours that vote (default 10: best leave-one-out accuracy on the flower training photos among 1–20). */
  k?: number;
  /** 'distance' (default): a neighbour's vote is 1/(1 − cosine + 1e-3); 'uniform': one vote each. */
  weighting?: 'distance' | 'uniform';
}

/** A kNN prediction: the winning label and each label's share of the votes. */
export interface KnnPrediction {
  label: string;
  index: number;
  confidences: Record<string, number>;
}

/**
 * k-nearest-neighbour classifier over a backbone's L2-normalised feature vectors, by cosine similarity.
 * Examples can be added one at a time (like ml5's KNNClassifier) and the whole saved as JSON.
 */
export class KnnClassifier implements Classifier {
  k: number;
  weighting: 'distance' | 'uniform';
  private readonly vectors: Float32Array[] = [];
  private readonly classOf: number[] = [];
  private readonly labelList: string[] = [];

  constructor(
    readonly model: Model,
    options: KnnOptions = {},
  ) {
    this.k = checkK(options.k ?? DEFAULT_K);
    this.weighting = options.weighting ?? 'distance';
  }

  /** Where the backbone came from. */
  get source(): string {
    return `kNN over ${this.model.source}`;
  }

  /** Class labels in order of first appearance. */
  get labels(): string[] {
    return this.labelList;
  }

  /** Number of stored examples. */
  get size(): number {
    return this.vectors.length;
  }

  /** Embeds an image and stores it as an example of `label`. */
  async addExample(image: ImageInput, label: string): Promise<void> {
    this.addVector(await embed(this.model, image), label);
  }

  /** Stores a feature vector (of this backbone; normalised here) as an example of `label`. */
  addVector(vector: Float32Array, label: string): void {
    const dim = this.vectors[0]?.length;
    if (dim !== undefined && vector.length !== dim) {
      throw new MobilenetError(`kNN: vector has ${vector.length} values, the stored examples have ${dim}`);
    }
    let c = this.labelList.indexOf(label);
    if (c < 0) c = this.labelList.push(label) - 1;
    this.vectors.push(l2Normalize(Float32Array.from(vector)));
    this.classOf.push(c);
  }

  /** Removes every example of a label. */
  clearLabel(label: string): void {
    const c = this.labelList.indexOf(label);
    if (c < 0) return;
    for (let i = this.vectors.length - 1; i >= 0; i--) {
      if (this.classOf[i] === c) {
        this.vectors.splice(i, 1);
        this.classOf.splice(i, 1);
      }
    }
    this.labelList.splice(c, 1);
    for (let i = 0; i < this.classOf.length; i++) if (this.classOf[i]! > c) this.classOf[i]!--;
  }

  /** Predicts the label of an image. */
  async predict(image: ImageInput): Promise<KnnPrediction> {
    return this.predictVector(await embed(this.model, image));
  }

  /** Predicts the label of a feature vector of this backbone. */
  predictVector(vector: Float32Array): KnnPrediction {
    const votes = this.votes(vector);
    let best = 0;
    for (let c = 1; c < votes.length; c++) if (votes[c]! > votes[best]!) best = c;
    const confidences: Record<string, number> = {};
    this.labelList.forEach((l, c) => (confidences[l] = votes[c]!));
    return { label: this.labelList[best]!, index: best, confidences };
  }

  /** Vote shares per label (in {@link labels} order) for an image. */
  async scores(image: ImageInput, resize?: ResizeConvention): Promise<Float32Array> {
    return this.votes(await embed(this.model, image, { resize }));
  }

  /** Vote shares for a raw input tensor of the backbone. */
  scoresForInput(input: TypedArray): Float32Array {
    return this.votes(embedInput(this.model, input));
  }

  /** The backbone model. */
  get backbone(): Model {
    return this.model;
  }

  /** The top labels of an image by vote share. */
  async classify(image: ImageInput, options: ClassifyOptions = {}): Promise<Prediction[]> {
    const s = await this.scores(image, options.resize);
    return topPredictions(s, options, (i) => this.labelOf(i), this.labelList);
  }

  /** The label of a class index. */
  labelOf(index: number): string {
    return this.labelList[index] ?? String(index);
  }

  /** The classifier as a JSON object (vectors as base64 float32), bound to the backbone's file sha256. */
  async save(): Promise<KnnJson> {
    const id = await backboneIdentity(this.model);
    return {
      format: KNN_FORMAT,
      version: 1,
      backbone: { sha256: id.sha256 ?? null, name: id.name, featureTensor: id.featureName, dim: id.dim },
      k: this.k,
      weighting: this.weighting,
      labels: [...this.labelList],
      examples: this.vectors.map((v, i) => ({ label: this.labelList[this.classOf[i]!]!, vector: f32ToBase64(v) })),
    };
  }

  /**
   * Restores a saved classifier over `model`.
   * @throws ModelFormatError for a malformed file, or one made with a different backbone (both are named).
   */
  static async load(json: KnnJson | string | unknown, model: Model, source = 'kNN JSON'): Promise<KnnClassifier> {
    const j = parseKnnJson(json, source);
    const id = await backboneIdentity(model);
    const theirs = `'${j.backbone.name}' (sha256 ${j.backbone.sha256 ?? 'unknown'}, ${j.backbone.dim}-d)`;
    const ours = `'${model.source}' (sha256 ${id.sha256 ?? 'unknown'}, ${id.dim}-d)`;
    if ((j.backbone.sha256 && id.sha256 && j.backbone.sha256 !== id.sha256) || j.backbone.dim !== id.dim) {
      throw new ModelFormatError(`${source}: made with backbone ${theirs}, not the given backbone ${ours}`);
    }
    const knn = new KnnClassifier(model, { k: j.k, weighting: j.weighting });
    for (const l of j.labels) knn.labelList.push(l);
    j.examples.forEach((e, i) => {
      const v = decodeVector(e.vector, `${source}: example ${i}`);
      if (v.length !== j.backbone.dim) throw new ModelFormatError(`${source}: example ${i} has ${v.length} values, backbone.dim is ${j.backbone.dim}`);
      knn.addVector(v, e.label);
    });
    return knn;
  }

  private votes(vector: Float32Array): Float32Array {
    if (this.vectors.length === 0) throw new MobilenetError('kNN: no examples added yet');
    const q = l2Normalize(Float32Array.from(vector));
    if (q.length !== this.vectors[0]!.length) {
      throw new MobilenetError(`kNN: vector has ${q.length} values, the stored examples have ${this.vectors[0]!.length}`);
    }
    const sims = this.vectors.map((v) => {
      let s = 0;
      for (let j = 0; j < q.length; j++) s += v[j]! * q[j]!;
      return s;
    });
    const nearest = topKIndices(sims, this.k);
    const votes = new Float32Array(this.labelList.length);
    for (const i of nearest) votes[this.classOf[i]!]! += this.weighting === 'uniform' ? 1 : 1 / (1 - sims[i]! + 1e-3);
    let sum = 0;
    for (const v of votes) sum += v;
    for (let c = 0; c < votes.length; c++) votes[c]! /= sum;
    return votes;
  }
}

function checkK(k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new MobilenetError(`kNN: k must be a positive integer, got ${k}`);
  return k;
}

/** True when bytes hold a kNN head JSON (told apart from a TF.js model.json by its `format`). */
export function isKnnJson(bytes: Uint8Array): boolean {
  return parseJsonObject(bytes)?.format === KNN_FORMAT;
}

/** Validates a parsed (or text) kNN JSON. */
export function parseKnnJson(json: unknown, source: string): KnnJson {
  let j: unknown = json;
  if (typeof json === 'string') {
    try {
      j = JSON.parse(json);
    } catch (e) {
      throw new ModelFormatError(`${source}: not JSON (${(e as Error).message})`);
    }
  }
  const o = j as Partial<KnnJson>;
  const bad = (what: string) => new ModelFormatError(`${source}: ${what}`);
  if (!o || typeof o !== 'object' || o.format !== KNN_FORMAT) throw bad(`not a kNN head (format is not '${KNN_FORMAT}')`);
  if (o.version !== 1) throw bad(`unsupported version ${String(o.version)} (this library reads version 1)`);
  const b = o.backbone;
  if (!b || typeof b.name !== 'string' || !Number.isInteger(b.dim) || b.dim < 1) throw bad('backbone needs a name and a positive dim');
  if (!Number.isInteger(o.k) || o.k! < 1) throw bad(`k must be a positive integer, got ${String(o.k)}`);
  if (o.weighting !== undefined && o.weighting !== 'distance' && o.weighting !== 'uniform') throw bad(`unknown weighting '${String(o.weighting)}'`);
  if (!Array.isArray(o.labels) || !o.labels.every((l) => typeof l === 'string')) throw bad('labels must be an array of strings');
  if (!Array.isArray(o.examples) || o.examples.length === 0) throw bad('no examples');
  for (const [i, e] of o.examples.entries()) {
    if (!e || !o.labels.includes(e.label)) throw bad(`example ${i} has label '${String(e?.label)}' not in labels`);
  }
  return o as KnnJson;
}

function decodeVector(v: string | number[], where: string): Float32Array {
  if (Array.isArray(v)) {
    if (!v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new ModelFormatError(`${where}: vector has a non-number`);
    return Float32Array.from(v);
  }
  if (typeof v !== 'string') throw new ModelFormatError(`${where}: vector must be base64 text or an array of numbers`);
  let bin: string;
  try {
    bin = atob(v);
  } catch {
    throw new ModelFormatError(`${where}: vector is not valid base64`);
  }
  if (bin.length % 4) throw new ModelFormatError(`${where}: base64 vector is ${bin.length} bytes, not a multiple of 4`);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const dv = new DataView(bytes.buffer);
  const out = new Float32Array(bin.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(4 * i, true);
  return out;
}

function f32ToBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.length * 4);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < v.length; i++) dv.setFloat32(4 * i, v[i]!, true);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
