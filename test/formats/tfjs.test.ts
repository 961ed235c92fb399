import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError, UnsupportedError } from '../../src/errors.js';
import { validateGraph } from '../../src/graph/validate.js';
import {
  isTfjsLayersModelJson,
  readTfjsLayersModel,
  tfjsLayersToGraph,
  type TfjsLayersModel,
} from '../../src/formats/tfjs/index.js';
import { Session } from '../../src/runtime/index.js';
import { maxRelDiff } from '../helpers/compare.js';
import { mulberry32 } from '../helpers/random.js';

// Small Keras models built and run by TF.js itself (the reference), saved to model.json artifacts,
// read and converted by us, and run by our engine.

interface Artifacts {
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

async function save(model: tf.LayersModel): Promise<Artifacts> {
  let out: Artifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      out = { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs!, weightData: a.weightData as ArrayBuffer };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

/** A model.json in the converter's format, its weights split over `shards` files. */
function modelJson(a: Artifacts, specs = a.weightSpecs, data = new Uint8Array(a.weightData), shards = 1) {
  const paths = Array.from({ length: shards }, (_, i) => `group1-shard${i + 1}of${shards}`);
  const files = new Map<string, Uint8Array>();
  const step = Math.ceil(data.length / shards);
  paths.forEach((p, i) => files.set(p, data.slice(i * step, (i + 1) * step)));
  const json = {
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths, weights: specs }],
  };
  const loadShard = async (p: string): Promise<Uint8Array> => {
    const f = files.get(p);
    if (!f) throw new Error(`no such shard ${p}`);
    return f;
  };
  return { json, loadShard, files };
}

/** Deterministic pseudo-random values in [lo, hi). */
function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + next() * (hi - lo));
}

/** Gives every weight deterministic random values (BN variances positive), so folding is exercised. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  let k = seed;
  for (const w of model.weights) {
    const n = w.shape.reduce((p: number, q) => p * (q ?? 1), 1);
    const isVar = w.name.includes('moving_variance');
    const isGamma = w.name.includes('gamma');
    const v = rand(n, k++, isVar || isGamma ? 0.5 : -0.5, isVar || isGamma ? 1.5 : 0.5);
    w.write(tf.tensor(v, w.shape as number[]));
  }
}

async function runBoth(model: tf.LayersModel, m: TfjsLayersModel, shape: number[], seed: number): Promise<number> {
  const x = rand(shape.reduce((a, b) => a * b, 1), seed);
  const want = (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array;
  const g = tfjsLayersToGraph(m);
  validateGraph(g);
  const [got] = new Session(g).run([x]) as Float32Array[];
  return maxRelDiff(got, want);
}

/** Every layer class the converter supports, in one Functional model. */
function kitchenSink(): tf.LayersModel {
  const L = tf.layers;
  const inp = tf.input({ shape: [17, 15, 3] });
  let x = L.zeroPadding2d({ padding: [[0, 1], [1, 0]] }).apply(inp) as tf.SymbolicTensor;
  x = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false }).apply(x) as tf.SymbolicTensor;
  x = L.batchNormalization({ epsilon: 1e-3 }).apply(x) as tf.SymbolicTensor;
  x = L.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  let d = L.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: true }).apply(x) as tf.SymbolicTensor;
  d = L.batchNormalization({ epsilon: 1e-5, center: false }).apply(d) as tf.SymbolicTensor;
  d = L.activation({ activation: 'relu' }).apply(d) as tf.SymbolicTensor;
  const p = L.conv2d({ filters: 16, kernelSize: 1, activation: 'relu6' }).apply(d) as tf.SymbolicTensor;
  const q = L.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'sigmoid' }).apply(d) as tf.SymbolicTensor;
  let y = L.add().apply([p, q]) as tf.SymbolicTensor;
  y = L.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'hardSigmoid' }).apply(y) as tf.SymbolicTensor;
  const se = L.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
  let gate = L.reshape({ targetShape: [1, 1, 16] }).apply(se) as tf.SymbolicTensor;
  gate = L.dense({ units: 4, activation: 'relu' }).apply(gate) as tf.SymbolicTensor;
  gate = L.dense({ units: 16, activation: 'sigmoid' }).apply(gate) as tf.SymbolicTensor;
  y = L.multiply().apply([y, gate]) as tf.SymbolicTensor;
  y = L.averagePooling2d({ poolSize: 2, strides: 1, padding: 'valid' }).apply(y) as tf.SymbolicTensor;
  y = L.maxPooling2d({ poolSize: 2, padding: 'same' }).apply(y) as tf.SymbolicTensor;
  y = L.batchNormalization({}).apply(y) as tf.SymbolicTensor;
  y = L.activation({ activation: 'swish' }).apply(y) as tf.SymbolicTensor;
  const f = L.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
  let z = L.dropout({ rate: 0.5 }).apply(f) as tf.SymbolicTensor;
  z = L.dense({ units: 6 }).apply(z) as tf.SymbolicTensor;
  const flat = L.flatten().apply(L.reshape({ targetShape: [2, 3] }).apply(z) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const out = L.activation({ activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}

describe('TF.js layers models built by TF.js', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('a model with every supported layer matches TF.js predict to 1e-4 relative', async () => {
    const model = kitchenSink();
    randomizeWeights(model, 11);
    const a = await save(model);
    const { json, loadShard } = modelJson(a, a.weightSpecs, new Uint8Array(a.weightData), 3);
    assert.ok(isTfjsLayersModelJson(json));
    const m = await readTfjsLayersModel({ json, loadShard });
    assert.equal(m.format, 'layers-model');
    assert.equal(m.weights.size, a.weightSpecs.length);
    const g = tfjsLayersToGraph(m);
    // Batch norms after convolutions are folded away; the one after pooling stays as MUL + ADD.
    const ops = g.nodes.map((n) => n.op);
    assert.ok(g.meta.featureTensor !== undefined && g.tensors[g.meta.featureTensor].shape.join() === '1,16');
    assert.deepEqual(g.meta.normalization, { mean: [127.5], std: [127.5] });
    assert.equal(ops.filter((o) => o === 'PAD').length, 1);
    for (const seed of [1, 2]) {
      const rel = await runBoth(model, m, [1, 17, 15, 3], seed);
      if (process.env.SHOW_FIGURES) console.log(`relative difference ${rel}`);
    assert.ok(rel <= 1e-4, `relative difference ${rel}`);
    }
  });

  it('a Teachable Machine style model (Sequential of Sequential(Model) and a Dense head) matches TF.js', async () => {
    const L = tf.layers;
    const inp = tf.input({ shape: [12, 12, 3] });
    let x = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(inp) as tf.SymbolicTensor;
    x = L.batchNormalization({}).apply(x) as tf.SymbolicTensor;
    x = L.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
    x = L.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
    const base = tf.model({ inputs: inp, outputs: x });
    const head = tf.sequential({
      layers: [L.dense({ inputShape: [8], units: 5, activation: 'relu' }), L.dense({ units: 3, activation: 'softmax' })],
    });
    const tm = tf.sequential({ layers: [tf.sequential({ layers: [base] }), head] });
    randomizeWeights(tm, 5);
    const a = await save(tm);
    const m = await readTfjsLayersModel(modelJson(a));
    assert.equal(m.model.className, 'Sequential');
    assert.ok(m.layers[0].model && m.layers[0].model.layers[0].model, 'nested models parsed');
    const rel = await runBoth(tm, m, [1, 12, 12, 3], 3);
    if (process.env.SHOW_FIGURES) console.log(`relative difference ${rel}`);
    assert.ok(rel <= 1e-4, `relative difference ${rel}`);
  });

  it('dequantizes uint8, uint16 and float16 weights as TF.js does', async () => {
    const model = kitchenSink();
    randomizeWeights(model, 23);
    const a = await save(model);
    const src = new Float32Array(a.weightData);
    const specs: tf.io.WeightsManifestEntry[] = [];
    const parts: Uint8Array[] = [];
    let at = 0;
    a.weightSpecs.forEach((w, i) => {
      const n = w.shape.reduce((p, q) => p * q, 1);
      const v = src.subarray(at, at + n);
      at += n;
      const kind = (['uint8', 'uint16', 'float16'] as const)[i % 3];
      if (kind === 'float16') {
        const h = new Uint16Array(n);
        for (let k = 0; k < n; k++) h[k] = toHalf(v[k]);
        parts.push(new Uint8Array(h.buffer));
        specs.push({ ...w, quantization: { dtype: 'float16' } });
        return;
      }
      const levels = kind === 'uint8' ? 255 : 65535;
      const min = Math.min(...v);
      const scale = (Math.max(...v) - min) / levels || 1;
      const q = kind === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
      for (let k = 0; k < n; k++) q[k] = Math.round((v[k] - min) / scale);
      parts.push(new Uint8Array(q.buffer));
      specs.push({ ...w, quantization: { dtype: kind, scale, min } });
    });
    const data = new Uint8Array(parts.reduce((p, b) => p + b.length, 0));
    let o = 0;
    for (const b of parts) data.set(b, o), (o += b.length);
    const ref = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: a.modelTopology as object, weightSpecs: specs, weightData: data.buffer }),
    );
    const m = await readTfjsLayersModel(modelJson(a, specs, data));
    for (const w of ref.weights) {
      const ours = m.weights.get(w.originalName ?? w.name);
      assert.ok(ours, `weight ${w.name}`);
      assert.deepEqual(Array.from(ours.data as Float32Array), Array.from(w.read().dataSync()), w.name);
    }
    const rel = await runBoth(ref, m, [1, 17, 15, 3], 9);
    if (process.env.SHOW_FIGURES) console.log(`relative difference ${rel}`);
    assert.ok(rel <= 1e-4, `relative difference ${rel}`);
  });
});

function toHalf(f: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, f);
  const x = b.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 127 + 15;
  if (e <= 0) return sign;
  return sign | (e << 10) | ((x >>> 13) & 0x3ff);
}

describe('TF.js layers model errors', () => {
  const tiny = async (): Promise<Artifacts> => {
    const inp = tf.input({ shape: [4, 4, 2] });
    const x = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(inp) as tf.SymbolicTensor;
    return save(tf.model({ inputs: inp, outputs: x }));
  };

  it('names the shard and sizes when the shards are too short or too long', async () => {
    const a = await tiny();
    for (const delta of [-4, 4]) {
      const data = new Uint8Array(a.weightData.byteLength + Math.max(delta, 0));
      data.set(new Uint8Array(a.weightData).subarray(0, data.length));
      const src = modelJson(a, a.weightSpecs, delta < 0 ? data.subarray(0, data.length + delta) : data);
      await assert.rejects(
        readTfjsLayersModel(src),
        (e: Error) => e instanceof ModelFormatError && e.message.includes('group1-shard1of1') && e.message.includes(`${a.weightData.byteLength}`),
      );
    }
  });

  it('reports a missing shard, a graph model and an unknown layer class', async () => {
    const a = await tiny();
    const { json } = modelJson(a);
    await assert.rejects(
      readTfjsLayersModel({ json, loadShard: async () => Promise.reject(new Error('ENOENT')) }),
      (e: Error) => e instanceof ModelFormatError && e.message.includes('group1-shard1of1'),
    );
    assert.equal(isTfjsLayersModelJson({ format: 'graph-model', modelTopology: { node: [] } }), false);
    await assert.rejects(readTfjsLayersModel({ json: { format: 'graph-model', modelTopology: { node: [] } }, loadShard: async () => new Uint8Array() }), ModelFormatError);

    const topo = JSON.parse(JSON.stringify(a.modelTopology));
    const layers = (topo.model_config ?? topo).config.layers;
    layers[1].class_name = 'Conv3DTranspose';
    const m = await readTfjsLayersModel(modelJson({ ...a, modelTopology: topo }));
    assert.throws(() => tfjsLayersToGraph(m), (e: Error) => e instanceof UnsupportedError && e.message.includes('Conv3DTranspose') && e.message.includes(layers[1].config.name));
  });

  it('names a weight missing from the manifest', async () => {
    const a = await tiny();
    const specs = a.weightSpecs.filter((w) => !w.name.endsWith('/bias'));
    const data = new Uint8Array(a.weightData).slice(0, specs.reduce((p, w) => p + 4 * w.shape.reduce((x, y) => x * y, 1), 0));
    const m = await readTfjsLayersModel(modelJson(a, specs, data));
    assert.throws(() => tfjsLayersToGraph(m), (e: Error) => e instanceof ModelFormatError && /bias/.test(e.message));
  });
});
