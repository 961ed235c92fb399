import type { Graph } from '../../graph/graph.js';
import { depthV1 } from './channels.js';
import { GraphBuilder } from './graph-builder.js';
import { finishGraph, slimLogits } from './head.js';
import { conv, globalPool } from './layers.js';
import type { ModelSpec } from './spec.js';
import type { WeightSource } from './weights.js';

/**
 * MobileNetV1 (Howard et al. 2017, Table 1): a 3×3/2 conv of 32, then depthwise-separable blocks
 * [stride, pointwise channels], then global average pool and 1×1-conv logits.
 */
const V1_BLOCKS: ReadonlyArray<readonly [stride: number, channels: number]> = [
  [1, 64],
  [2, 128],
  [1, 128],
  [2, 256],
  [1, 256],
  [2, 512],
  [1, 512],
  [1, 512],
  [1, 512],
  [1, 512],
  [1, 512],
  [2, 1024],
  [1, 1024],
];

/** Builds MobileNetV1 in the TF-slim layout (`MobilenetV1/Conv2d_<i>_{depthwise,pointwise}` parameters). */
export function buildMobilenetV1(spec: ModelSpec, weights: WeightSource): Graph {
  const b = new GraphBuilder(weights, 'slim', 1e-3);
  const s = 'MobilenetV1';
  const depth = (d: number): number => depthV1(d, spec.alpha);
  const layer = (name: string, w: string): { name: string; weight: string; bn: string } => ({
    name: `${s}/${name}`,
    weight: `${s}/${name}/${w}`,
    bn: `${s}/${name}/BatchNorm`,
  });
  const input = b.activation('input', [1, spec.resolution, spec.resolution, 3]);
  let x = conv(b, input, { ...layer('Conv2d_0', 'weights'), out: depth(32), kernel: 3, stride: 2, act: 'relu6' });
  V1_BLOCKS.forEach(([stride, channels], i) => {
    const c = b.shape(x)[3]!;
    x = conv(b, x, { ...layer(`Conv2d_${i + 1}_depthwise`, 'depthwise_weights'), out: c, kernel: 3, stride, depthwise: true, act: 'relu6' });
    x = conv(b, x, { ...layer(`Conv2d_${i + 1}_pointwise`, 'weights'), out: depth(channels), kernel: 1, stride: 1, act: 'relu6' });
  });
  const pooled = globalPool(b, x, `${s}/Logits/AvgPool_1a`, true);
  const logits = slimLogits(b, pooled, s, spec);
  return finishGraph(b, input, logits, pooled, spec, 'MobileNetV1');
}
