import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MobilenetError } from '../../src/errors.js';
import { readTflite } from '../../src/formats/tflite/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { buildMobilenet, makeDivisible, parseVariant, seededWeights, variantName, type ModelSpec } from '../../src/models/builders/index.js';
import { modelInfo, type ModelInfo } from '../../src/tasks/info.js';
import { projectRoot, sharedTflite } from '../helpers/data.js';

const infos = new Map<string, ModelInfo>();
/** modelInfo of a variant, built once per test file. */
function info(name: string): ModelInfo {
  let i = infos.get(name);
  if (!i) infos.set(name, (i = modelInfo(buildMobilenet(parseVariant(name)))));
  return i;
}

/** Published figures are rounded (the papers mostly truncate): accept one unit of the last published digit. */
function near(actual: number, published: number, unit: number, what: string): void {
  assert.ok(Math.abs(actual - published) <= unit + 1e-9, `${what}: computed ${actual}, published ${published} (±${unit})`);
}
const M = 1e6;

// Howard et al. 2017 (MobileNetV1) Tables 6 and 7; TF-slim mobilenet_v1.md; Sandler et al. 2018 Table 4 and
// the TF-slim mobilenet README (V2, V3 tables); torchvision's documented parameter counts.
describe('published figures', () => {
  test('V1 1.0-224: 569 M mult-adds', () => near(info('v1-1.0-224').macs / M, 569, 1, 'MACs'));
  test('V1 1.0-224: 4.2 M parameters', () => near(info('v1-1.0-224').weight_params / M, 4.2, 0.1, 'params'));
  test('V1 0.75-224: 325 M mult-adds', () => near(info('v1-0.75-224').macs / M, 325, 1, 'MACs'));
  test('V1 0.75-224: 2.6 M parameters', () => near(info('v1-0.75-224').weight_params / M, 2.6, 0.1, 'params'));
  test('V1 0.5-224: 149 M mult-adds', () => near(info('v1-0.5-224').macs / M, 149, 1, 'MACs'));
  test('V1 0.5-224: 1.3 M parameters', () => near(info('v1-0.5-224').weight_params / M, 1.3, 0.1, 'params'));
  test('V1 0.25-224: 41 M mult-adds', () => near(info('v1-0.25-224').macs / M, 41, 1, 'MACs'));
  test('V1 0.25-224: 0.47 M parameters (TF-slim table)', () => near(info('v1-0.25-224').weight_params / M, 0.47, 0.01, 'params'));
  test('V1 1.0-192: 418 M mult-adds', () => near(info('v1-1.0-192').macs / M, 418, 1, 'MACs'));
  test('V1 1.0-160: 290 M mult-adds', () => near(info('v1-1.0-160').macs / M, 290, 1, 'MACs'));
  test('V1 1.0-128: 186 M mult-adds', () => near(info('v1-1.0-128').macs / M, 186, 1, 'MACs'));
  test('V1 parameters do not depend on resolution', () => assert.equal(info('v1-1.0-128').params, info('v1-1.0-224').params));

  test('V2 1.0-224: 300 M mult-adds', () => near(info('v2-1.0-224').macs / M, 300, 1, 'MACs'));
  test('V2 1.0-224: 3.47 M parameters (TF-slim table; the paper truncates to 3.4)', () =>
    near(info('v2-1.0-224').weight_params / M, 3.47, 0.01, 'params'));
  test('V2 1.0-224 torchvision: exactly 3,504,872 parameters', () => assert.equal(info('v2-1.0-224-tv').params_unfolded, 3_504_872));
  test('V2 1.4-224: 582 M mult-adds', () => near(info('v2-1.4-224').macs / M, 582, 1, 'MACs'));
  test('V2 1.4-224: 6.06 M parameters', () => near(info('v2-1.4-224').weight_params / M, 6.06, 0.01, 'params'));
  test('V2 0.35-224: 59 M mult-adds (TF-slim table)', () => near(info('v2-0.35-224').macs / M, 59, 1, 'MACs'));
  test('V2 0.35-224: 1.66 M parameters (TF-slim table, last layer kept at 1280)', () =>
    near(info('v2-0.35-224').weight_params / M, 1.66, 0.01, 'params'));
  test('V2 1.0-96: 56 M mult-adds (TF-slim table)', () => near(info('v2-1.0-96').macs / M, 56, 1, 'MACs'));

  test('V3-Large 1.0-224: 217 M MACs (TF-slim table; the paper states 219)', () => near(info('v3-large-1.0-224').macs / M, 217, 1, 'MACs'));
  test('V3-Large 1.0-224: 5.4 M parameters', () => near(info('v3-large-1.0-224').weight_params / M, 5.4, 0.1, 'params'));
  test('V3-Large 1.0-224 torchvision: exactly 5,483,032 parameters', () =>
    assert.equal(info('v3-large-1.0-224-tv').params_unfolded, 5_483_032));
  test('V3-Small 1.0-224: 56 M MACs', () => near(info('v3-small-1.0-224').macs / M, 56, 1, 'MACs'));
  test('V3-Small 1.0-224: 2.5 M parameters', () => near(info('v3-small-1.0-224').weight_params / M, 2.5, 0.1, 'params'));
  test('V3-Small 1.0-224 torchvision: exactly 2,542,856 parameters', () =>
    assert.equal(info('v3-small-1.0-224-tv').params_unfolded, 2_542_856));
  test('V3-Large 0.75-224: 155 M MACs, 4.0 M parameters (TF-slim table)', () => {
    near(info('v3-large-0.75-224').macs / M, 155, 1, 'MACs');
    near(info('v3-large-0.75-224').weight_params / M, 4.0, 0.1, 'params');
  });
  test('V3-Large minimalistic 1.0-224: 209 M MACs, 3.9 M parameters (TF-slim table)', () => {
    near(info('v3-large-minimal-1.0-224').macs / M, 209, 1, 'MACs');
    near(info('v3-large-minimal-1.0-224').weight_params / M, 3.9, 0.1, 'params');
  });
});

/** Parameter names and shapes a builder asks for (PyTorch layout). */
function requested(spec: ModelSpec): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  const random = seededWeights(1);
  buildMobilenet(spec, (name, shape) => {
    assert.ok(!seen.has(name), `parameter ${name} requested twice`);
    seen.set(name, shape);
    return random(name, shape);
  });
  return seen;
}

describe('torchvision state_dict keys and shapes (torchvision 0.14 fixtures)', () => {
  const dir = join(projectRoot, 'test', 'fixtures', 'torch');
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    num_classes: number;
    resolution: number;
    models: { name: string; family: 'v2' | 'v3-large' | 'v3-small'; width_mult: number; tensors: Record<string, { shape: number[] }> }[];
  };
  for (const m of index.models) {
    test(m.name, () => {
      const spec: ModelSpec = { family: m.family, alpha: m.width_mult, resolution: index.resolution, minimal: false, layout: 'torchvision', numClasses: index.num_classes };
      const ours = requested(spec);
      const theirs = Object.entries(m.tensors).filter(([k]) => !k.endsWith('num_batches_tracked'));
      assert.deepEqual([...ours.keys()].sort(), theirs.map(([k]) => k).sort());
      for (const [k, v] of theirs) assert.deepEqual(ours.get(k), v.shape, k);
    });
  }
});

/** Conv-like nodes as (op, output shape, filter shape, stride, padding[, fused activation]). */
function structure(g: Graph, withActivation: boolean): string[] {
  const kept = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'ADD', 'MUL', 'HARD_SWISH'];
  return g.nodes
    .filter((n) => kept.includes(n.op))
    .map((n) => {
      const out = JSON.stringify(g.tensors[n.outputs[0]!]!.shape);
      if (n.op !== 'CONV_2D' && n.op !== 'DEPTHWISE_CONV_2D') return `${n.op} ${out}`;
      const a = n.attrs;
      const act = withActivation ? ` ${a.activation}` : '';
      return `${n.op} ${out} filter ${JSON.stringify(g.tensors[n.inputs[1]!]!.shape)} stride ${a.strideH}x${a.strideW} ${a.padding}${act}`;
    });
}

describe('TF-slim layout matches the shared TFLite models layer by layer', () => {
  // Quantized files express relu/relu6 through their output ranges, so fused activations are compared on the float file only.
  const cases: [keyof typeof sharedTflite, string, boolean][] = [
    ['v1_025_float', 'v1-0.25-224', true],
    ['v1_025_128_quant', 'v1-0.25-128', false],
    ['v1_05_160_quant', 'v1-0.5-160', false],
    ['v2_uint8', 'v2-1.0-224', false],
    ['v2_ptq_int8', 'v2-1.0-224', false],
    ['v3_small_uint8', 'v3-small-1.0-224', false],
  ];
  for (const [file, variant, act] of cases) {
    const path = sharedTflite[file];
    test(`${variant} vs ${file}`, { skip: existsSync(path) ? false : `shared model missing: ${path}` }, () => {
      const theirs = structure(readTflite(readFileSync(path)), act);
      const ours = structure(buildMobilenet(parseVariant(variant)), act);
      assert.deepEqual(ours, theirs);
    });
  }
  test('v1-0.25-224 has the float file\'s tensor shapes in every layer, head included', () => {
    const tfl = readTflite(readFileSync(sharedTflite.v1_025_float));
    const ours = buildMobilenet(parseVariant('v1-0.25-224'));
    const shapes = (g: Graph): string[] => g.nodes.map((n) => `${n.op} ${n.inputs.map((i) => (i < 0 ? '-' : JSON.stringify(g.tensors[i]!.shape))).join(' ')} -> ${JSON.stringify(g.tensors[n.outputs[0]!]!.shape)}`);
    assert.deepEqual(shapes(ours), shapes(tfl));
    assert.equal(modelInfo(ours).params, modelInfo(tfl).params);
    assert.equal(modelInfo(ours).macs, modelInfo(tfl).macs);
  });
  test('modelInfo counts the same parameters and MACs in the quantized V2 and V3-Small files as in the built graphs', () => {
    for (const [file, variant] of [['v2_uint8', 'v2-1.0-224'], ['v3_small_uint8', 'v3-small-1.0-224']] as const) {
      const tfl = modelInfo(readTflite(readFileSync(sharedTflite[file])));
      assert.equal(tfl.params, info(variant).params, file);
      assert.equal(tfl.macs, info(variant).macs, file);
      assert.ok(tfl.weight_bytes < info(variant).weight_bytes / 3, `${file}: uint8 weights take about a quarter of the bytes`);
    }
  });
});

describe('channel rules', () => {
  test('makeDivisible matches _make_divisible', () => {
    // values computed with the Python reference: max(8, int(v + 4) // 8 * 8), +8 when below 90 % of v
    assert.equal(makeDivisible(32 * 0.35), 16);
    assert.equal(makeDivisible(16 * 0.35), 8);
    assert.equal(makeDivisible(24 * 0.35), 8);
    assert.equal(makeDivisible(1280 * 1.4), 1792);
    assert.equal(makeDivisible(96 * 0.75), 72);
    assert.equal(makeDivisible(18), 24);
  });
  test('V2 keeps 1280 last channels for alpha <= 1 and scales above', () => {
    const lastConv = (name: string): number => {
      const layers = info(name).layers.filter((l) => l.op === 'CONV_2D');
      return layers[layers.length - 2]!.output_shape[3]!;
    };
    assert.equal(lastConv('v2-0.35-224'), 1280);
    assert.equal(lastConv('v2-1.4-224'), 1792);
  });
});

describe('parseVariant', () => {
  test('reads family, alpha, resolution, layout', () => {
    assert.deepEqual(parseVariant('v1-0.5-160'), { family: 'v1', alpha: 0.5, resolution: 160, minimal: false, layout: 'slim' });
    assert.deepEqual(parseVariant('v2-1.0-224-tv'), { family: 'v2', alpha: 1, resolution: 224, minimal: false, layout: 'torchvision' });
    assert.deepEqual(parseVariant('V3-Large-Minimal-1.0-224'), { family: 'v3-large', alpha: 1, resolution: 224, minimal: true, layout: 'slim' });
    assert.equal(parseVariant('v3-small-0.75-192-slim').layout, 'slim');
  });
  test('variantName is its inverse', () => {
    for (const n of ['v1-0.25-128', 'v2-1.4-224', 'v2-1.0-224-tv', 'v3-small-minimal-1.0-224', 'v3-large-0.75-224-tv']) {
      assert.equal(variantName(parseVariant(n)), n);
    }
  });
  test('rejects bad names with a message naming the problem', () => {
    assert.throws(() => parseVariant('v4-1.0-224'), (e: Error) => e instanceof MobilenetError && /unknown model "v4-1.0-224"/.test(e.message));
    assert.throws(() => parseVariant('v2-1.0-16'), /resolution must be an integer in 32\.\.2048, got 16/);
    assert.throws(() => parseVariant('v2-0-224'), /alpha.*got 0/);
    assert.throws(() => parseVariant('v1-1.0-224-tv'), /torchvision has no MobileNetV1/);
    assert.throws(() => parseVariant('v3-small-minimal-1.0-224-tv'), /only in the TF-slim layout/);
  });
});

describe('weights', () => {
  test('a weight of the wrong size is an error naming it', () => {
    assert.throws(
      () => buildMobilenet(parseVariant('v1-0.25-128'), (name, shape) => new Float32Array(name.endsWith('Conv2d_0/weights') ? 5 : shape.reduce((a, b) => a * b, 1))),
      (e: Error) => e instanceof MobilenetError && /MobilenetV1\/Conv2d_0\/weights.*\[8,3,3,3\].*got 5 values/.test(e.message),
    );
  });
  test('batch norm is folded into the conv: w·γ/√(σ²+ε), (b−μ)·γ/√(σ²+ε)+β', () => {
    // one conv of the first layer, hand-checked against the definition of BatchNorm2d (eps 1e-3 in TF-slim)
    const vals: Record<string, number> = { gamma: 2, beta: 0.5, moving_mean: 1, moving_variance: 3 };
    const g = buildMobilenet(parseVariant('v1-0.25-128'), (name, shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const leaf = name.slice(name.lastIndexOf('/') + 1);
      if (name.startsWith('MobilenetV1/Conv2d_0/weights')) return Float32Array.from({ length: n }, (_, i) => i);
      return new Float32Array(n).fill(vals[leaf] ?? 0.1);
    });
    const conv = g.nodes[0]!;
    const w = g.tensors[conv.inputs[1]!]!.data as Float32Array;
    const b = g.tensors[conv.inputs[2]!]!.data as Float32Array;
    const s = 2 / Math.sqrt(3 + 1e-3);
    // OIHW index (o=1, i=2, h=0, w=1) = 27 + 2*9 + 0*3 + 1 = 46 lands at OHWI (1, 0, 1, 2) = 27 + 0*9 + 1*3 + 2 = 32
    assert.ok(Math.abs(w[32]! - 46 * s) < 1e-4);
    assert.ok(Math.abs(b[0]! - (-1 * s + 0.5)) < 1e-6);
  });
  test('torchvision layout pads symmetrically (PAD + VALID) where TF SAME would not', () => {
    const g = buildMobilenet(parseVariant('v2-1.0-224-tv'));
    assert.equal(g.nodes[0]!.op, 'PAD');
    assert.deepEqual([...(g.tensors[g.nodes[0]!.inputs[1]!]!.data as Int32Array)], [0, 0, 1, 1, 1, 1, 0, 0]);
    const slim = buildMobilenet(parseVariant('v2-1.0-224'));
    assert.ok(!slim.nodes.some((n) => n.op === 'PAD'));
  });
});
