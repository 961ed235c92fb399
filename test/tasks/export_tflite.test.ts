import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ShapeError, UnsupportedError } from '../../src/errors.js';
import { decodeImage } from '../../src/formats/image/index.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { findFeatureTensor } from '../../src/graph/rewrite.js';
import { numElements, type TypedArray } from '../../src/graph/index.js';
import { resizeForModel, toFloatInput } from '../../src/models/preprocess.js';
import { Session } from '../../src/runtime/index.js';
import { exportClassifier, type LinearHead } from '../../src/tasks/export_tflite.js';
import { dataPath, sharedTflite } from '../helpers/data.js';
import { tfliteOracle } from '../helpers/oracle.js';
import { mulberry32 } from '../helpers/random.js';

const IMAGES = ['parrot.jpg', 'hot_dog.jpg', 'grace_hopper.bmp', 'owl.jpg', 'imagenet_finch.jpeg'];
const SLIM = { mean: [127.5], std: [127.5] };

/** A seeded random head over `features` inputs; with a standardisation when `standardise`. */
function randomHead(features: number, classes: number, seed: number, standardise: boolean): LinearHead {
  const next = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const head: LinearHead = {
    weights: Float32Array.from({ length: classes * features }, () => (gauss() * 3) / Math.sqrt(features)),
    bias: Float32Array.from({ length: classes }, () => gauss() * 0.5),
    labels: Array.from({ length: classes }, (_, k) => `class ${k}`),
  };
  if (standardise) {
    head.mean = Float32Array.from({ length: features }, () => next() * 3);
    head.std = Float32Array.from({ length: features }, () => 0.5 + next() * 2);
  }
  return head;
}

/** The head applied by hand in float64 to dequantised features: softmax(W · (x − mean) / std + b). */
function applyHead(head: LinearHead, x: Float64Array): Float64Array {
  const classes = head.bias.length;
  const f = x.length;
  const z = new Float64Array(classes);
  for (let c = 0; c < classes; c++) {
    let acc = head.bias[c]!;
    for (let j = 0; j < f; j++) {
      const xj = head.mean && head.std ? (x[j]! - head.mean[j]!) / head.std[j]! : x[j]!;
      acc += head.weights[c * f + j]! * xj;
    }
    z[c] = acc;
  }
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function dequantized(g: Graph, t: number, v: TypedArray): Float64Array {
  const q = g.tensors[t]!.quant;
  return Float64Array.from(v as ArrayLike<number>, (x) => (q ? q.scale[0]! * (x - q.zeroPoint[0]!) : x));
}

const argmax = (a: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
};

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): number {
  assert.equal(got.length, want.length, what);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  assert.ok(worst <= tol, `${what}: max |diff| ${worst} > ${tol}`);
  return worst;
}

const CASES = [
  { model: 'v1_025_128_quant', standardise: true, classes: 5 },
  { model: 'v1_025_float', standardise: true, classes: 7 },
  { model: 'v1_025_float', standardise: false, classes: 3 },
] as const;

for (const { model, standardise, classes } of CASES) {
  const path = sharedTflite[model];
  describe(`exportClassifier: ${model}, ${classes} classes${standardise ? ', standardised' : ''}`, { skip: !existsSync(path) && 'shared model missing' }, () => {
    const backbone = readTflite(new Uint8Array(readFileSync(path)));
    const feature = findFeatureTensor(backbone)!;
    const features = numElements(backbone.tensors[feature]!.shape);
    const head = randomHead(features, classes, classes * 31 + (standardise ? 1 : 0), standardise);
    // The float file carries no normalisation metadata: give it; the quantized one's comes from its metadata.
    const normalization = backbone.meta.normalization ? undefined : SLIM;
    const bytes = exportClassifier(backbone, head, { description: 'test head', ...(normalization ? { normalization } : {}) });
    const exported = readTflite(bytes);
    const input = backbone.tensors[backbone.inputs[0]!]!;
    const [, height, width] = input.shape as [number, number, number, number];

    async function inputs(): Promise<TypedArray[]> {
      const out: TypedArray[] = [];
      for (const file of IMAGES) {
        const rgb = resizeForModel(await decodeImage(dataPath('images', file)), { width, height });
        out.push(input.dtype === 'float32' ? toFloatInput(rgb, SLIM.mean, SLIM.std) : rgb.data);
      }
      return out;
    }

    test('our reader reads it back: labels, normalisation, float32 [1, classes] output after a softmax', () => {
      assert.deepStrictEqual(exported.meta.labels, head.labels);
      assert.deepStrictEqual(exported.meta.normalization, SLIM);
      assert.equal(exported.meta.description, 'test head');
      const out = exported.tensors[exported.outputs[0]!]!;
      assert.deepStrictEqual([out.dtype, out.shape], ['float32', [1, classes]]);
      assert.deepStrictEqual(exported.tensors[exported.inputs[0]!], input);
      const tail = input.dtype === 'float32' ? ['AVERAGE_POOL_2D', 'RESHAPE'] : ['RESHAPE', 'DEQUANTIZE'];
      assert.deepStrictEqual(exported.nodes.map((n) => n.op).slice(-4), [...tail, 'FULLY_CONNECTED', 'SOFTMAX']);
      assert.ok(!exported.tensors.some((t) => t.name.includes('Conv2d_1c_1x1')), 'the ImageNet classifier is gone');
    });

    test('the TFLite interpreter, our Session and the head applied by hand agree on real images', async (t) => {
      const oracle = tfliteOracle(bytes);
      const ours = new Session(exported);
      const base = new Session(backbone);
      let worstOracle = 0;
      let worstManual = 0;
      for (const [k, x] of (await inputs()).entries()) {
        const a = oracle.run(x) as Float32Array;
        const b = ours.run([x])[0] as Float32Array;
        const manual = applyHead(head, dequantized(backbone, feature, base.run([x], [feature])[0]!));
        assert.equal(argmax(b), argmax(a), `${IMAGES[k]}: top-1`);
        assert.equal(argmax(manual), argmax(a), `${IMAGES[k]}: top-1 by hand`);
        worstOracle = Math.max(worstOracle, assertClose(b, a, 1e-5, `${IMAGES[k]}: Session vs interpreter`));
        worstManual = Math.max(worstManual, assertClose(a, manual, 1e-5, `${IMAGES[k]}: interpreter vs by hand`));
        assertClose(b, manual, 1e-5, `${IMAGES[k]}: Session vs by hand`);
        assert.ok(Math.abs(a.reduce((s, v) => s + v, 0) - 1) < 1e-5);
      }
      t.diagnostic(`max |diff| Session vs interpreter ${worstOracle.toExponential(2)}, interpreter vs by hand ${worstManual.toExponential(2)}`);
    });
  });
}

describe('exportClassifier: bad heads', () => {
  const path = sharedTflite.v1_025_128_quant;
  test('sizes that do not match are refused, naming what was wrong', { skip: !existsSync(path) && 'shared model missing' }, () => {
    const backbone = readTflite(new Uint8Array(readFileSync(path)));
    const ok = randomHead(256, 2, 1, true);
    const refused = (h: LinearHead, re: RegExp) =>
      assert.throws(() => exportClassifier(backbone, h), (e: Error) => e instanceof ShapeError && re.test(e.message));
    refused({ ...ok, weights: new Float32Array(10) }, /10 values, expected 2 classes × 256 features/);
    refused({ ...ok, labels: ['x'] }, /1 labels for 2 classes/);
    refused({ ...ok, std: new Float32Array(256) }, /head.std\[0\] = 0/);
    refused({ ...ok, mean: new Float32Array(3) }, /mean\/std have 3\/256 values, expected 256/);
    refused({ ...ok, std: undefined }, /given together/);
    const noClassifier: Graph = { ...backbone, nodes: backbone.nodes.slice(0, 2), outputs: [backbone.nodes[1]!.outputs[0]!] };
    assert.throws(() => exportClassifier(noClassifier, ok), (e: Error) => e instanceof UnsupportedError && /no pooled feature tensor/.test(e.message));
  });
});
