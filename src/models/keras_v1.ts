import { ModelFormatError } from '../errors.js';
import type { Graph } from '../graph/index.js';
import type { NamedTensor } from '../formats/named_tensor.js';
import { toFloat32 } from '../formats/named_tensor.js';
import { buildMobilenet } from './builders/index.js';
import type { WeightSource } from './builders/index.js';

/** The Keras `MobileNet` (V1) layer name holding a TF-slim variable, e.g. `Conv2d_3_depthwise` → `conv_dw_3`. */
function kerasLayer(slimScope: string): string {
  if (slimScope === 'Conv2d_0') return 'conv1';
  if (slimScope === 'Logits/Conv2d_1c_1x1') return 'conv_preds';
  const m = /^Conv2d_(\d+)_(depthwise|pointwise)$/.exec(slimScope);
  if (!m) throw new ModelFormatError(`no Keras MobileNet layer for TF-slim scope '${slimScope}'`);
  return `conv_${m[2] === 'depthwise' ? 'dw' : 'pw'}_${m[1]}`;
}

/** Keras HWIO / HWCM kernels to PyTorch OIHW / [C,1,kh,kw]. */
function toTorchLayout(t: NamedTensor, depthwise: boolean): Float32Array {
  const src = toFloat32(t);
  if (t.shape.length !== 4) return src;
  const [h, w, a, b] = t.shape as [number, number, number, number];
  const out = new Float32Array(src.length);
  // depthwise HWCM (M = 1): out[c][0][y][x]; conv HWIO: out[o][i][y][x]
  const inner = depthwise ? 1 : a;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let i = 0; i < a; i++)
        for (let o = 0; o < b; o++) {
          const v = src[((y * w + x) * a + i) * b + o]!;
          const oo = depthwise ? i * b + o : o;
          const ii = depthwise ? 0 : i;
          out[((oo * inner + ii) * h + y) * w + x] = v;
        }
  return out;
}

/**
 * A weight source for the TF-slim-layout V1 builder that reads a Keras `MobileNet` (V1) checkpoint, such as
 * the hosted TF.js MobileNets: `conv1`, `conv_dw_N`, `conv_pw_N` (+ `_bn`) and `conv_preds`.
 */
export function kerasV1Weights(weights: Map<string, NamedTensor>, source: string): WeightSource {
  const byName = new Map<string, NamedTensor>();
  for (const [k, v] of weights) byName.set(k.replace(/_\d+$/, '').replace(/^.*?\/(?=conv)/, ''), v);
  return (name, shape) => {
    const m = /^MobilenetV1\/(.+)\/(weights|depthwise_weights|biases|BatchNorm\/(gamma|beta|moving_mean|moving_variance))$/.exec(name);
    if (!m) throw new ModelFormatError(`${source}: no Keras weight for '${name}'`);
    const layer = kerasLayer(m[1]!);
    const key =
      m[2] === 'weights' ? `${layer}/kernel` : m[2] === 'depthwise_weights' ? `${layer}/depthwise_kernel` : m[2] === 'biases' ? `${layer}/bias` : `${layer}_bn/${m[3]}`;
    const t = byName.get(key);
    if (!t) throw new ModelFormatError(`${source}: missing weight '${key}' (for ${name})`);
    const data = toTorchLayout(t, m[2] === 'depthwise_weights');
    if (data.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new ModelFormatError(`${source}: weight '${key}' is [${t.shape}], expected ${shape.reduce((a, b) => a * b, 1)} values for [${shape}]`);
    }
    return data;
  };
}

/**
 * Builds MobileNetV1 with the project's builder from a Keras V1 checkpoint (1000 classes, softmax output).
 * `alpha` and `resolution` must be those of the checkpoint.
 */
export function buildKerasMobilenetV1(weights: Map<string, NamedTensor>, alpha: number, resolution: number, source: string): Graph {
  return buildMobilenet(
    { family: 'v1', alpha, resolution, minimal: false, layout: 'slim', numClasses: 1000, softmax: true },
    kerasV1Weights(weights, source),
  );
}
