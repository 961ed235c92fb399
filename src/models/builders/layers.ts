import type { GraphBuilder } from './graph-builder.js';

/** Activation after a conv: fused into the conv (relu, relu6) or a separate HARD_SWISH node. */
export type Act = 'none' | 'relu' | 'relu6' | 'hswish';

/** One convolution of the unfolded network and where its parameters live. */
export interface ConvLayer {
  /** Node name (also the prefix of the graph tensors it creates). */
  name: string;
  /** Parameter name of the conv weight (OIHW, depthwise [C,1,k,k]). */
  weight: string;
  /** Parameter name of the conv's own bias, when it has one. */
  bias?: string;
  /** Batch-norm parameter prefix, when a batch norm follows (folded into weight and bias). */
  bn?: string;
  out: number;
  kernel: number;
  stride: number;
  depthwise?: boolean;
  act: Act;
}

/** Explicit symmetric padding k//2 (PyTorch) is needed when TF's SAME would pad differently. */
function needsExplicitPad(size: number, k: number, s: number): boolean {
  const p = (k - 1) >> 1;
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return total >> 1 !== p || total - (total >> 1) !== p;
}

/** Conv (or depthwise conv) with batch norm folded in, padded as the builder's layout pads. */
export function conv(b: GraphBuilder, x: number, c: ConvLayer): number {
  const [n, h, w, cin] = b.shape(x) as [number, number, number, number];
  const k = c.kernel;
  const dw = c.depthwise === true;
  if (dw && c.out !== cin) throw new Error(`${c.name}: depthwise conv must keep ${cin} channels, asked ${c.out}`);
  const perOut = dw ? k * k : cin * k * k;
  const weight = b.param(c.weight, dw ? [cin, 1, k, k] : [c.out, cin, k, k]);
  const bias = c.bias !== undefined ? b.param(c.bias, [c.out]).slice() : new Float32Array(c.out);
  const filter = new Float32Array(weight.length);
  const scale = new Float32Array(c.out).fill(1);
  if (c.bn !== undefined) {
    const bn = b.batchNorm(c.bn, c.out);
    for (let o = 0; o < c.out; o++) {
      scale[o] = bn.gamma[o]! / Math.sqrt(bn.variance[o]! + b.bnEps);
      bias[o] = (bias[o]! - bn.mean[o]!) * scale[o]! + bn.beta[o]!;
    }
  }
  // OIHW -> OHWI, or [C,1,kH,kW] -> [1,kH,kW,C]
  for (let o = 0; o < c.out; o++) {
    for (let i = 0; i < (dw ? 1 : cin); i++) {
      for (let y = 0; y < k; y++) {
        for (let z = 0; z < k; z++) {
          const v = weight[o * perOut + (i * k + y) * k + z]! * scale[o]!;
          filter[dw ? (y * k + z) * c.out + o : o * perOut + (y * k + z) * cin + i] = v;
        }
      }
    }
  }
  let input = x;
  let padding: 'same' | 'valid' = 'same';
  let oh = Math.ceil(h / c.stride);
  let ow = Math.ceil(w / c.stride);
  if (b.layout === 'torchvision' && (needsExplicitPad(h, k, c.stride) || needsExplicitPad(w, k, c.stride))) {
    const p = (k - 1) >> 1;
    const pads = b.constant(`${c.name}/paddings`, [4, 2], new Int32Array([0, 0, p, p, p, p, 0, 0]));
    input = b.op('PAD', {}, [x, pads], [n, h + 2 * p, w + 2 * p, cin], `${c.name}/pad`);
    padding = 'valid';
    oh = Math.floor((h + 2 * p - k) / c.stride) + 1;
    ow = Math.floor((w + 2 * p - k) / c.stride) + 1;
  }
  const f = b.constant(`${c.name}/weights`, dw ? [1, k, k, c.out] : [c.out, k, k, cin], filter);
  const bt = b.constant(`${c.name}/bias`, [c.out], bias);
  const fused = c.act === 'relu' || c.act === 'relu6' ? c.act : 'none';
  const common = { strideH: c.stride, strideW: c.stride, dilationH: 1, dilationW: 1, padding, activation: fused } as const;
  const shape = [n, oh, ow, c.out];
  const y = dw
    ? b.op('DEPTHWISE_CONV_2D', { ...common, depthMultiplier: 1 }, [input, f, bt], shape, c.name)
    : b.op('CONV_2D', common, [input, f, bt], shape, c.name);
  return c.act === 'hswish' ? b.op('HARD_SWISH', {}, [y], shape, `${c.name}/hard_swish`) : y;
}

/** Fully connected layer on a [N, in] tensor; weights [out, in] as PyTorch stores them. */
export function linear(b: GraphBuilder, x: number, name: string, weight: string, bias: string, out: number, act: 'none' | 'hswish'): number {
  const [n, cin] = b.shape(x) as [number, number];
  const wt = b.constant(`${name}/weights`, [out, cin], b.param(weight, [out, cin]).slice());
  const bt = b.constant(`${name}/bias`, [out], b.param(bias, [out]).slice());
  const y = b.op('FULLY_CONNECTED', { activation: 'none', keepNumDims: false }, [x, wt, bt], [n, out], name);
  return act === 'hswish' ? b.op('HARD_SWISH', {}, [y], [n, out], `${name}/hard_swish`) : y;
}

/** Global average pool: MEAN over H, W (torchvision's adaptive_avg_pool2d) or a full-size AVERAGE_POOL_2D (TF-slim). */
export function globalPool(b: GraphBuilder, x: number, name: string, keepDims: boolean): number {
  const [n, h, w, c] = b.shape(x) as [number, number, number, number];
  if (b.layout === 'slim') {
    const attrs = { filterH: h, filterW: w, strideH: 1, strideW: 1, padding: 'valid', activation: 'none' } as const;
    return b.op('AVERAGE_POOL_2D', attrs, [x], [n, 1, 1, c], name);
  }
  const axes = b.constant(`${name}/axes`, [2], new Int32Array([1, 2]));
  return b.op('MEAN', { keepDims }, [x, axes], keepDims ? [n, 1, 1, c] : [n, c], name);
}

/** Drops the 1×1 spatial dimensions of a [N,1,1,C] tensor. */
export function squeeze(b: GraphBuilder, x: number, name: string): number {
  const s = b.shape(x);
  return b.op('SQUEEZE', { axes: [1, 2] }, [x], [s[0]!, s[3]!], name);
}

/**
 * Squeeze-and-excite: x * hard_sigmoid(conv1x1(relu(conv1x1(pool(x))))), hard_sigmoid(z) = relu6(z + 3) / 6
 * as ADD (fused relu6) and MUL by a constant; TF-slim multiplies by 0.16667 where torchvision divides by 6.
 */
export function squeezeExcite(b: GraphBuilder, x: number, name: string, fc1: { weight: string; bias: string }, fc2: { weight: string; bias: string }, squeezeChannels: number): number {
  const shape = b.shape(x);
  const c = shape[3]!;
  const pooled = globalPool(b, x, `${name}/pool`, true);
  const s1 = conv(b, pooled, { name: `${name}/fc1`, weight: fc1.weight, bias: fc1.bias, out: squeezeChannels, kernel: 1, stride: 1, act: 'relu' });
  const s2 = conv(b, s1, { name: `${name}/fc2`, weight: fc2.weight, bias: fc2.bias, out: c, kernel: 1, stride: 1, act: 'none' });
  const plus3 = b.op('ADD', { activation: 'relu6' }, [s2, b.scalar(3)], [shape[0]!, 1, 1, c], `${name}/hard_sigmoid/add`);
  const sixth = b.layout === 'slim' ? 0.16667 : 1 / 6;
  const gate = b.op('MUL', { activation: 'none' }, [plus3, b.scalar(sixth)], [shape[0]!, 1, 1, c], `${name}/hard_sigmoid`);
  return b.op('MUL', { activation: 'none' }, [x, gate], shape, `${name}/mul`);
}

/** Residual sum of two equally shaped tensors. */
export function residual(b: GraphBuilder, x: number, y: number, name: string): number {
  return b.op('ADD', { activation: 'none' }, [x, y], b.shape(y), name);
}
