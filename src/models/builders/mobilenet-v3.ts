import type { Graph } from '../../graph/graph.js';
import { makeDivisible } from './channels.js';
import { GraphBuilder } from './graph-builder.js';
import { finishGraph, slimLogits } from './head.js';
import { conv, globalPool, linear, residual, squeezeExcite, type Act, type ConvLayer } from './layers.js';
import { classesOf, type ModelSpec } from './spec.js';
import type { WeightSource } from './weights.js';

/** One bottleneck (Howard et al. 2019, Tables 1 and 2): kernel, expanded channels, output channels, SE, hard-swish, stride. */
type Bneck = readonly [k: number, exp: number, out: number, se: boolean, hs: boolean, s: number];

/** MobileNetV3-Large; input of the first bottleneck is 16 channels, the last conv 960, the penultimate layer 1280. */
const V3_LARGE: readonly Bneck[] = [
  [3, 16, 16, false, false, 1],
  [3, 64, 24, false, false, 2],
  [3, 72, 24, false, false, 1],
  [5, 72, 40, true, false, 2],
  [5, 120, 40, true, false, 1],
  [5, 120, 40, true, false, 1],
  [3, 240, 80, false, true, 2],
  [3, 200, 80, false, true, 1],
  [3, 184, 80, false, true, 1],
  [3, 184, 80, false, true, 1],
  [3, 480, 112, true, true, 1],
  [3, 672, 112, true, true, 1],
  [5, 672, 160, true, true, 2],
  [5, 960, 160, true, true, 1],
  [5, 960, 160, true, true, 1],
];

/** MobileNetV3-Small; the last conv 576, the penultimate layer 1024. */
const V3_SMALL: readonly Bneck[] = [
  [3, 16, 16, true, false, 2],
  [3, 72, 24, false, false, 2],
  [3, 88, 24, false, false, 1],
  [5, 96, 40, true, true, 2],
  [5, 240, 40, true, true, 1],
  [5, 240, 40, true, true, 1],
  [5, 120, 48, true, true, 1],
  [5, 144, 48, true, true, 1],
  [5, 288, 96, true, true, 2],
  [5, 576, 96, true, true, 1],
  [5, 576, 96, true, true, 1],
];

/** Parameter naming of one layout. */
interface V3Naming {
  first: Names;
  expand(i: number): Names;
  depthwise(i: number, expands: boolean): Names;
  se(i: number, expands: boolean): { name: string; fc1: Pair; fc2: Pair };
  project(i: number, expands: boolean, se: boolean): Names;
  lastConv(i: number): Names;
  block(i: number): string;
}
type Names = Pick<ConvLayer, 'name' | 'weight' | 'bn'>;
type Pair = { weight: string; bias: string };

/** torchvision: features.<i>.block.<j>.{0,1} conv/BN, SE at block.<j>.fc1/fc2; blocks numbered from 1. */
const TORCHVISION: V3Naming = {
  first: { name: 'features.0', weight: 'features.0.0.weight', bn: 'features.0.1' },
  expand: (i) => tvConv(`features.${i}.block.0`),
  depthwise: (i, e) => tvConv(`features.${i}.block.${e ? 1 : 0}`),
  se: (i, e) => {
    const p = `features.${i}.block.${e ? 2 : 1}`;
    return { name: p, fc1: { weight: `${p}.fc1.weight`, bias: `${p}.fc1.bias` }, fc2: { weight: `${p}.fc2.weight`, bias: `${p}.fc2.bias` } };
  },
  project: (i, e, se) => tvConv(`features.${i}.block.${(e ? 2 : 1) + (se ? 1 : 0)}`),
  lastConv: (i) => tvConv(`features.${i}`),
  block: (i) => `features.${i}`,
};
function tvConv(p: string): Names {
  return { name: p, weight: `${p}.0.weight`, bn: `${p}.1` };
}

/** TF-slim: MobilenetV3/expanded_conv[_k]/{expand,depthwise,squeeze_excite/Conv[_1],project}; blocks numbered from 1. */
const SLIM: V3Naming = {
  first: slimConv('MobilenetV3/Conv'),
  expand: (i) => slimConv(`${slimBlock(i)}/expand`),
  depthwise: (i) => slimConv(`${slimBlock(i)}/depthwise`, 'depthwise_weights'),
  se: (i) => {
    const p = `${slimBlock(i)}/squeeze_excite`;
    return { name: p, fc1: { weight: `${p}/Conv/weights`, bias: `${p}/Conv/biases` }, fc2: { weight: `${p}/Conv_1/weights`, bias: `${p}/Conv_1/biases` } };
  },
  project: (i) => slimConv(`${slimBlock(i)}/project`),
  lastConv: () => slimConv('MobilenetV3/Conv_1'),
  block: slimBlock,
};
function slimBlock(i: number): string {
  return `MobilenetV3/expanded_conv${i === 1 ? '' : `_${i - 1}`}`;
}
function slimConv(scope: string, w = 'weights'): Names {
  return { name: scope, weight: `${scope}/${w}`, bn: `${scope}/BatchNorm` };
}

/**
 * Builds MobileNetV3 Large or Small (or TF-slim's minimalistic variants: no SE, ReLU only, 3×3 kernels).
 * torchvision scales every table entry by alpha; TF-slim scales outputs and derives expansions from the
 * scaled input (`makeDivisible(in · exp/in₀)`), which differs only for alpha ≠ 1.
 */
export function buildMobilenetV3(spec: ModelSpec, weights: WeightSource): Graph {
  const tv = spec.layout === 'torchvision';
  const large = spec.family === 'v3-large';
  const table = large ? V3_LARGE : V3_SMALL;
  const names = tv ? TORCHVISION : SLIM;
  const b = new GraphBuilder(weights, spec.layout, 1e-3);
  const a = spec.alpha;
  const hs: Act = spec.minimal ? 'relu' : 'hswish';
  const input = b.activation('input', [1, spec.resolution, spec.resolution, 3]);
  let x = conv(b, input, { ...names.first, out: makeDivisible(16 * a), kernel: 3, stride: 2, act: hs });
  let inC0 = 16;
  table.forEach(([k0, exp0, out0, se0, hs0, s], idx) => {
    const i = idx + 1;
    const inC = b.shape(x)[3]!;
    const exp = tv ? makeDivisible(exp0 * a) : makeDivisible(inC * (exp0 / inC0));
    const out = makeDivisible(out0 * a);
    const k = spec.minimal ? 3 : k0;
    const se = se0 && !spec.minimal;
    const act: Act = hs0 && !spec.minimal ? 'hswish' : 'relu';
    const expands = exp !== inC;
    let h = x;
    if (expands) h = conv(b, h, { ...names.expand(i), out: exp, kernel: 1, stride: 1, act });
    h = conv(b, h, { ...names.depthwise(i, expands), out: exp, kernel: k, stride: s, depthwise: true, act });
    if (se) {
      const n = names.se(i, expands);
      const squeeze = makeDivisible(tv ? Math.floor(exp / 4) : exp / 4);
      h = squeezeExcite(b, h, n.name, n.fc1, n.fc2, squeeze);
    }
    h = conv(b, h, { ...names.project(i, expands, se), out, kernel: 1, stride: 1, act: 'none' });
    x = s === 1 && inC === out ? residual(b, x, h, `${names.block(i)}/add`) : h;
    inC0 = out0;
  });
  const lastConvC = tv ? 6 * b.shape(x)[3]! : makeDivisible((large ? 960 : 576) * a);
  x = conv(b, x, { ...names.lastConv(table.length + 1), out: lastConvC, kernel: 1, stride: 1, act: hs });
  // TF-slim's published checkpoints keep this layer full size for every alpha (finegrain_classification_mode).
  const penultimate = tv ? makeDivisible((large ? 1280 : 1024) * a) : large ? 1280 : 1024;
  let logits: number;
  let feature: number;
  if (tv) {
    const pooled = globalPool(b, x, 'avgpool', false);
    feature = linear(b, pooled, 'classifier.0', 'classifier.0.weight', 'classifier.0.bias', penultimate, 'hswish');
    logits = linear(b, feature, 'classifier.3', 'classifier.3.weight', 'classifier.3.bias', classesOf(spec), 'none');
  } else {
    const pooled = globalPool(b, x, 'MobilenetV3/AvgPool2D', true);
    const name = 'MobilenetV3/Conv_2';
    feature = conv(b, pooled, { name, weight: `${name}/weights`, bias: `${name}/biases`, out: penultimate, kernel: 1, stride: 1, act: hs });
    logits = slimLogits(b, feature, 'MobilenetV3', spec);
  }
  const kind = `MobileNetV3-${large ? 'Large' : 'Small'}${spec.minimal ? ' minimalistic' : ''}`;
  return finishGraph(b, input, logits, feature, spec, kind);
}
