import type { Graph } from '../../graph/graph.js';
import { makeDivisible } from './channels.js';
import { GraphBuilder } from './graph-builder.js';
import { finishGraph, slimLogits } from './head.js';
import { conv, globalPool, linear, residual, type ConvLayer } from './layers.js';
import { classesOf, type ModelSpec } from './spec.js';
import type { WeightSource } from './weights.js';

/**
 * MobileNetV2 (Sandler et al. 2018, Table 2): a 3×3/2 conv of 32, inverted-residual bottlenecks
 * [t expansion, c channels, n repeats, s first stride], a 1×1 conv of 1280, pool, classifier.
 */
const V2_BLOCKS: ReadonlyArray<readonly [t: number, c: number, n: number, s: number]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

type Part = 'first' | 'expand' | 'depthwise' | 'project' | 'last';
type Names = Pick<ConvLayer, 'name' | 'weight' | 'bn'>;

/** Parameter names of part `part` of block `i` (0 = first conv, 1..17 bottlenecks, 18 = last conv). */
function v2Names(spec: ModelSpec, i: number, part: Part, expands: boolean): Names {
  if (spec.layout === 'torchvision') {
    // features.<i>.conv.<j>: [expand ConvBNReLU,] dw ConvBNReLU, pw Conv2d, BatchNorm2d
    const base = `features.${i}`;
    if (part === 'first' || part === 'last') return { name: base, weight: `${base}.0.weight`, bn: `${base}.1` };
    const j = (expands ? 1 : 0) + (part === 'expand' ? -1 : 0);
    if (part === 'project') return { name: `${base}.conv.${j + 1}`, weight: `${base}.conv.${j + 1}.weight`, bn: `${base}.conv.${j + 2}` };
    return { name: `${base}.conv.${j}`, weight: `${base}.conv.${j}.0.weight`, bn: `${base}.conv.${j}.1` };
  }
  const scope =
    part === 'first' ? 'MobilenetV2/Conv' : part === 'last' ? 'MobilenetV2/Conv_1' : `MobilenetV2/expanded_conv${i === 1 ? '' : `_${i - 1}`}/${part}`;
  return { name: scope, weight: `${scope}/${part === 'depthwise' ? 'depthwise_weights' : 'weights'}`, bn: `${scope}/BatchNorm` };
}

/** Builds MobileNetV2 in the TF-slim or torchvision layout; channels via makeDivisible(c·alpha, 8). */
export function buildMobilenetV2(spec: ModelSpec, weights: WeightSource): Graph {
  const tv = spec.layout === 'torchvision';
  const b = new GraphBuilder(weights, spec.layout, tv ? 1e-5 : 1e-3);
  const input = b.activation('input', [1, spec.resolution, spec.resolution, 3]);
  let x = conv(b, input, { ...v2Names(spec, 0, 'first', false), out: makeDivisible(32 * spec.alpha), kernel: 3, stride: 2, act: 'relu6' });
  let i = 1;
  for (const [t, c, n, s] of V2_BLOCKS) {
    const out = makeDivisible(c * spec.alpha);
    for (let r = 0; r < n; r++, i++) {
      const inC = b.shape(x)[3]!;
      const hidden = Math.round(inC * t);
      const expands = t !== 1;
      let h = x;
      if (expands) h = conv(b, h, { ...v2Names(spec, i, 'expand', true), out: hidden, kernel: 1, stride: 1, act: 'relu6' });
      h = conv(b, h, { ...v2Names(spec, i, 'depthwise', expands), out: hidden, kernel: 3, stride: r === 0 ? s : 1, depthwise: true, act: 'relu6' });
      h = conv(b, h, { ...v2Names(spec, i, 'project', expands), out, kernel: 1, stride: 1, act: 'none' });
      x = r > 0 || (s === 1 && inC === out) ? residual(b, x, h, `${v2Names(spec, i, 'project', expands).name}/add`) : h;
    }
  }
  const lastC = makeDivisible(1280 * Math.max(1, spec.alpha));
  x = conv(b, x, { ...v2Names(spec, i, 'last', false), out: lastC, kernel: 1, stride: 1, act: 'relu6' });
  let logits: number;
  let pooled: number;
  if (tv) {
    pooled = globalPool(b, x, 'avgpool', false);
    logits = linear(b, pooled, 'classifier.1', 'classifier.1.weight', 'classifier.1.bias', classesOf(spec), 'none');
  } else {
    pooled = globalPool(b, x, 'MobilenetV2/Logits/AvgPool', true);
    logits = slimLogits(b, pooled, 'MobilenetV2', spec);
  }
  return finishGraph(b, input, logits, pooled, spec, 'MobileNetV2');
}
