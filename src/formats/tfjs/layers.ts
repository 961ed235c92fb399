import { ModelFormatError, UnsupportedError } from '../../errors.js';
import type { Padding } from '../../graph/ops.js';
import { numElements, shapeToString } from '../../graph/tensor.js';
import type { GraphEmitter } from '../../graph/emitter.js';
import type { KerasLayer } from './topology.js';

/** What a layer conversion needs: the graph under construction and the weights. */
export interface LayerContext {
  em: GraphEmitter;
  /** Output of the last GlobalAveragePooling2D (-1 if none yet). */
  featureTensor: number;
  /** Set when the model rescales its own input (a Rescaling layer). */
  rescaled: boolean;
  weight(layer: KerasLayer, attr: string, scope: string[]): Float32Array;
}

const IDENTITY = new Set(['Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);

type Cfg = Record<string, unknown>;

function pair(v: unknown, what: string, layer: KerasLayer, dflt?: number): [number, number] {
  if (v === undefined || v === null) {
    if (dflt !== undefined) return [dflt, dflt];
  } else if (typeof v === 'number') return [v, v];
  else if (Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x))) return [v[0], v[1]];
  throw new ModelFormatError(`tfjs: layer ${layer.name} (${layer.className}) has a bad ${what}: ${JSON.stringify(v)}`);
}

function unsupported(layer: KerasLayer, what: string): never {
  throw new UnsupportedError(`tfjs: layer ${layer.name} (${layer.className}): ${what} is not supported`);
}

function activationName(v: unknown): string {
  if (v === undefined || v === null) return 'linear';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') {
    const o = v as { class_name?: unknown; config?: { name?: unknown } };
    if (typeof o.config?.name === 'string') return o.config.name;
    if (typeof o.class_name === 'string') return o.class_name;
  }
  return String(v);
}

function channelsLast(layer: KerasLayer): void {
  const f = layer.config.data_format;
  if (f !== undefined && f !== null && f !== 'channels_last') unsupported(layer, `data_format ${String(f)}`);
}

function outSize(n: number, k: number, s: number, d: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(n / s) : Math.floor((n - (k - 1) * d - 1) / s) + 1;
}

function padding(layer: KerasLayer): Padding {
  const p = layer.config.padding ?? 'valid';
  if (p !== 'same' && p !== 'valid') unsupported(layer, `padding ${JSON.stringify(p)}`);
  return p as Padding;
}

function expectShape(layer: KerasLayer, attr: string, data: Float32Array, shape: number[]): void {
  if (data.length !== numElements(shape)) {
    throw new ModelFormatError(
      `tfjs: weight ${layer.name}/${attr} has ${data.length} values, expected ${shapeToString(shape)}`,
    );
  }
}

/** Emits the ops of a Keras activation function applied to `x`. */
export function applyActivation(em: GraphEmitter, layer: KerasLayer, x: number, fn: string, name: string): number {
  const s = em.shape(x);
  const scalar = (v: number): number => em.constant(`${name}/const_${v}`, [1], new Float32Array([v]));
  switch (fn) {
    case 'linear':
      return x;
    case 'relu':
      return em.op('RELU', {}, [x], s, name);
    case 'relu6':
      return em.op('RELU6', {}, [x], s, name);
    case 'sigmoid':
      return em.op('LOGISTIC', {}, [x], s, name);
    case 'softmax':
      return em.op('SOFTMAX', { beta: 1 }, [x], s, name);
    case 'hard_sigmoid': {
      // Keras 2 / TF.js: clip(0.2 x + 0.5, 0, 1) = relu6(1.2 x + 3) / 6
      const a = em.op('MUL', { activation: 'none' }, [x, scalar(1.2)], s, `${name}/scale`);
      const b = em.op('ADD', { activation: 'none' }, [a, scalar(3)], s, `${name}/shift`);
      const c = em.op('RELU6', {}, [b], s, `${name}/clip`);
      return em.op('MUL', { activation: 'none' }, [c, scalar(1 / 6)], s, name);
    }
    case 'hard_swish':
    case 'hard_silu':
      return em.op('HARD_SWISH', {}, [x], s, name);
    case 'swish':
    case 'silu': {
      const sig = em.op('LOGISTIC', {}, [x], s, `${name}/sigmoid`);
      return em.op('MUL', { activation: 'none' }, [x, sig], s, name);
    }
    default:
      unsupported(layer, `activation "${fn}"`);
  }
}

function conv2d(ctx: LayerContext, layer: KerasLayer, x: number, scope: string[]): number {
  const { em } = ctx;
  const c = layer.config;
  channelsLast(layer);
  if (c.groups !== undefined && c.groups !== 1) unsupported(layer, `groups=${String(c.groups)}`);
  const [n, h, w, cin] = em.shape(x);
  const [kh, kw] = pair(c.kernel_size, 'kernel_size', layer);
  const [sh, sw] = pair(c.strides, 'strides', layer, 1);
  const [dh, dw] = pair(c.dilation_rate, 'dilation_rate', layer, 1);
  const cout = Number(c.filters);
  const pad = padding(layer);
  const k = ctx.weight(layer, 'kernel', scope);
  expectShape(layer, 'kernel', k, [kh, kw, cin, cout]);
  const ohwi = new Float32Array(k.length);
  for (let hh = 0; hh < kh; hh++)
    for (let ww = 0; ww < kw; ww++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) ohwi[((o * kh + hh) * kw + ww) * cin + i] = k[((hh * kw + ww) * cin + i) * cout + o];
  const inputs = [x, em.constant(`${layer.name}/kernel`, [cout, kh, kw, cin], ohwi)];
  if (c.use_bias !== false) inputs.push(biasConst(ctx, layer, scope, cout));
  const out = [n, outSize(h, kh, sh, dh, pad), outSize(w, kw, sw, dw, pad), cout];
  const attrs = { strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padding: pad, activation: 'none' as const };
  const y = em.op('CONV_2D', attrs, inputs, out, `${layer.name}/conv`);
  return applyActivation(em, layer, y, activationName(c.activation), layer.name);
}

function biasConst(ctx: LayerContext, layer: KerasLayer, scope: string[], n: number): number {
  const b = ctx.weight(layer, 'bias', scope);
  expectShape(layer, 'bias', b, [n]);
  return ctx.em.constant(`${layer.name}/bias`, [n], b.slice());
}

function depthwise(
  ctx: LayerContext,
  layer: KerasLayer,
  x: number,
  scope: string[],
  withBias: boolean,
  outName: string,
): number {
  const { em } = ctx;
  const c = layer.config;
  channelsLast(layer);
  const [n, h, w, cin] = em.shape(x);
  const [kh, kw] = pair(c.kernel_size, 'kernel_size', layer);
  const [sh, sw] = pair(c.strides, 'strides', layer, 1);
  const [dh, dw] = pair(c.dilation_rate, 'dilation_rate', layer, 1);
  const mult = Number(c.depth_multiplier ?? 1);
  const pad = padding(layer);
  const k = ctx.weight(layer, 'depthwise_kernel', scope);
  expectShape(layer, 'depthwise_kernel', k, [kh, kw, cin, mult]);
  // HWCM flattened is already 1HWC with channel index c * mult + m.
  const inputs = [x, em.constant(`${layer.name}/depthwise_kernel`, [1, kh, kw, cin * mult], k.slice())];
  if (withBias && c.use_bias !== false) inputs.push(biasConst(ctx, layer, scope, cin * mult));
  const out = [n, outSize(h, kh, sh, dh, pad), outSize(w, kw, sw, dw, pad), cin * mult];
  const attrs = {
    strideH: sh,
    strideW: sw,
    dilationH: dh,
    dilationW: dw,
    padding: pad,
    activation: 'none' as const,
    depthMultiplier: mult,
  };
  return em.op('DEPTHWISE_CONV_2D', attrs, inputs, out, outName);
}

function separable(ctx: LayerContext, layer: KerasLayer, x: number, scope: string[]): number {
  const { em } = ctx;
  const d = depthwise(ctx, layer, x, scope, false, `${layer.name}/depthwise`);
  const [n, h, w, cm] = em.shape(d);
  const cout = Number(layer.config.filters);
  const k = ctx.weight(layer, 'pointwise_kernel', scope);
  expectShape(layer, 'pointwise_kernel', k, [1, 1, cm, cout]);
  const ohwi = new Float32Array(k.length);
  for (let i = 0; i < cm; i++) for (let o = 0; o < cout; o++) ohwi[o * cm + i] = k[i * cout + o];
  const inputs = [d, em.constant(`${layer.name}/pointwise_kernel`, [cout, 1, 1, cm], ohwi)];
  if (layer.config.use_bias !== false) inputs.push(biasConst(ctx, layer, scope, cout));
  const attrs = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'valid' as const, activation: 'none' as const };
  const y = em.op('CONV_2D', attrs, inputs, [n, h, w, cout], `${layer.name}/pointwise`);
  return applyActivation(em, layer, y, activationName(layer.config.activation), layer.name);
}

function batchNorm(ctx: LayerContext, layer: KerasLayer, x: number, scope: string[]): number {
  const { em } = ctx;
  const c = layer.config;
  const s = em.shape(x);
  const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : (c.axis ?? -1);
  if (axis !== -1 && axis !== s.length - 1) unsupported(layer, `axis ${JSON.stringify(c.axis)}`);
  const ch = s[s.length - 1];
  const eps = typeof c.epsilon === 'number' ? c.epsilon : 1e-3;
  const get = (attr: string, dflt: number): Float32Array => {
    const enabled = attr === 'gamma' ? c.scale !== false : attr === 'beta' ? c.center !== false : true;
    if (!enabled) return new Float32Array(ch).fill(dflt);
    const v = ctx.weight(layer, attr, scope);
    expectShape(layer, attr, v, [ch]);
    return v;
  };
  const gamma = get('gamma', 1);
  const beta = get('beta', 0);
  const mean = get('moving_mean', 0);
  const variance = get('moving_variance', 1);
  const scale = new Float32Array(ch);
  const shift = new Float32Array(ch);
  for (let i = 0; i < ch; i++) {
    scale[i] = gamma[i] / Math.sqrt(variance[i] + eps);
    shift[i] = beta[i] - mean[i] * scale[i];
  }
  const m = em.op('MUL', { activation: 'none' }, [x, em.constant(`${layer.name}/scale`, [ch], scale)], s, `${layer.name}/mul`);
  return em.op('ADD', { activation: 'none' }, [m, em.constant(`${layer.name}/shift`, [ch], shift)], s, layer.name);
}

function dense(ctx: LayerContext, layer: KerasLayer, x: number, scope: string[]): number {
  const { em } = ctx;
  const s = em.shape(x);
  const cin = s[s.length - 1];
  const units = Number(layer.config.units);
  const k = ctx.weight(layer, 'kernel', scope);
  expectShape(layer, 'kernel', k, [cin, units]);
  const w = new Float32Array(k.length);
  for (let i = 0; i < cin; i++) for (let o = 0; o < units; o++) w[o * cin + i] = k[i * units + o];
  const inputs = [x, em.constant(`${layer.name}/kernel`, [units, cin], w)];
  if (layer.config.use_bias !== false) inputs.push(biasConst(ctx, layer, scope, units));
  const keepNumDims = s.length > 2;
  const out = keepNumDims ? [...s.slice(0, -1), units] : [s[0], units];
  const y = em.op('FULLY_CONNECTED', { activation: 'none', keepNumDims }, inputs, out, `${layer.name}/dense`);
  return applyActivation(em, layer, y, activationName(layer.config.activation), layer.name);
}

function reshape(ctx: LayerContext, layer: KerasLayer, x: number, target: number[]): number {
  const { em } = ctx;
  const s = em.shape(x);
  const total = numElements(s);
  const shape = [s[0], ...target];
  const free = shape.indexOf(-1);
  if (free >= 0) shape[free] = total / numElements(shape.filter((d) => d !== -1));
  if (numElements(shape) !== total || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ModelFormatError(`tfjs: layer ${layer.name} cannot reshape ${shapeToString(s)} to ${shapeToString(shape)}`);
  }
  const shapeConst = em.constant(`${layer.name}/shape`, [shape.length], Int32Array.from(shape));
  return em.op('RESHAPE', { newShape: shape }, [x, shapeConst], shape, layer.name);
}

function broadcastShape(layer: KerasLayer, a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new ModelFormatError(`tfjs: layer ${layer.name} combines shapes ${shapeToString(a)} and ${shapeToString(b)}`);
    }
    out.push(Math.max(x, y));
  }
  return out;
}

function pool(ctx: LayerContext, layer: KerasLayer, x: number, op: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D'): number {
  const { em } = ctx;
  channelsLast(layer);
  const [n, h, w, c] = em.shape(x);
  const [fh, fw] = pair(layer.config.pool_size, 'pool_size', layer, 2);
  const [sh, sw] = layer.config.strides == null ? [fh, fw] : pair(layer.config.strides, 'strides', layer);
  const pad = padding(layer);
  const attrs = { filterH: fh, filterW: fw, strideH: sh, strideW: sw, padding: pad, activation: 'none' as const };
  return em.op(op, attrs, [x], [n, outSize(h, fh, sh, 1, pad), outSize(w, fw, sw, 1, pad), c], layer.name);
}

/** Converts one call of a (non-model) layer; returns its output tensors. */
export function applyLayer(ctx: LayerContext, layer: KerasLayer, xs: number[], scope: string[]): number[] {
  const { em } = ctx;
  const c: Cfg = layer.config;
  const one = (): number => {
    if (xs.length !== 1) throw new ModelFormatError(`tfjs: layer ${layer.name} (${layer.className}) expects one input, got ${xs.length}`);
    return xs[0];
  };
  if (IDENTITY.has(layer.className)) return [one()];
  switch (layer.className) {
    case 'Conv2D':
    case 'Convolution2D':
      return [conv2d(ctx, layer, one(), scope)];
    case 'DepthwiseConv2D': {
      const d = depthwise(ctx, layer, one(), scope, true, `${layer.name}/depthwise`);
      return [applyActivation(em, layer, d, activationName(c.activation), layer.name)];
    }
    case 'SeparableConv2D':
      return [separable(ctx, layer, one(), scope)];
    case 'BatchNormalization':
      return [batchNorm(ctx, layer, one(), scope)];
    case 'Activation':
      return [applyActivation(em, layer, one(), activationName(c.activation), layer.name)];
    case 'ReLU': {
      if ((c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) unsupported(layer, 'negative_slope / threshold');
      const max = c.max_value ?? null;
      if (max !== null && max !== 6) unsupported(layer, `max_value ${String(max)}`);
      return [applyActivation(em, layer, one(), max === 6 ? 'relu6' : 'relu', layer.name)];
    }
    case 'Softmax': {
      const axis = c.axis ?? -1;
      const x = one();
      if (axis !== -1 && axis !== em.shape(x).length - 1) unsupported(layer, `softmax axis ${JSON.stringify(axis)}`);
      return [applyActivation(em, layer, x, 'softmax', layer.name)];
    }
    case 'ZeroPadding2D': {
      channelsLast(layer);
      const x = one();
      const p = c.padding;
      const [[t, b], [l, r]] =
        Array.isArray(p) && Array.isArray(p[0])
          ? [pair(p[0], 'padding', layer), pair(p[1], 'padding', layer)]
          : (() => {
              const [ph, pw] = pair(p, 'padding', layer, 1);
              return [[ph, ph], [pw, pw]];
            })();
      const [n, h, w, ch] = em.shape(x);
      const pads = em.constant(`${layer.name}/paddings`, [4, 2], Int32Array.from([0, 0, t, b, l, r, 0, 0]));
      return [em.op('PAD', {}, [x, pads], [n, h + t + b, w + l + r, ch], layer.name)];
    }
    case 'GlobalAveragePooling2D': {
      channelsLast(layer);
      const x = one();
      const [n, , , ch] = em.shape(x);
      const keepDims = c.keepdims === true;
      const axes = em.constant(`${layer.name}/axes`, [2], Int32Array.from([1, 2]));
      const y = em.op('MEAN', { keepDims }, [x, axes], keepDims ? [n, 1, 1, ch] : [n, ch], layer.name);
      ctx.featureTensor = y;
      return [y];
    }
    case 'AveragePooling2D':
      return [pool(ctx, layer, one(), 'AVERAGE_POOL_2D')];
    case 'MaxPooling2D':
      return [pool(ctx, layer, one(), 'MAX_POOL_2D')];
    case 'Reshape':
      return [reshape(ctx, layer, one(), (c.target_shape as number[]) ?? [])];
    case 'Flatten': {
      const x = one();
      return [reshape(ctx, layer, x, [numElements(em.shape(x).slice(1))])];
    }
    case 'Dense':
      return [dense(ctx, layer, one(), scope)];
    case 'Add':
    case 'Multiply':
    case 'Subtract': {
      if (xs.length < 2) throw new ModelFormatError(`tfjs: layer ${layer.name} (${layer.className}) needs two or more inputs`);
      if (layer.className === 'Subtract' && xs.length !== 2) unsupported(layer, `${xs.length} inputs`);
      const op = layer.className === 'Add' ? 'ADD' : layer.className === 'Multiply' ? 'MUL' : 'SUB';
      let y = xs[0];
      for (let i = 1; i < xs.length; i++) {
        const shape = broadcastShape(layer, em.shape(y), em.shape(xs[i]));
        y = em.op(op, { activation: 'none' }, [y, xs[i]], shape, i === xs.length - 1 ? layer.name : `${layer.name}/${i}`);
      }
      return [y];
    }
    case 'Concatenate': {
      if (xs.length < 2) throw new ModelFormatError(`tfjs: layer ${layer.name} needs two or more inputs`);
      const shapes = xs.map((t) => em.shape(t));
      const rank = shapes[0].length;
      const axis = (((c.axis as number) ?? -1) + rank) % rank;
      const out = shapes[0].slice();
      out[axis] = shapes.reduce((a, s) => a + s[axis], 0);
      return [em.op('CONCATENATION', { axis, activation: 'none' }, xs, out, layer.name)];
    }
    case 'Rescaling': {
      const x = one();
      const s = em.shape(x);
      const scale = Number(c.scale ?? 1);
      const offset = Number(c.offset ?? 0);
      if (!Number.isFinite(scale) || !Number.isFinite(offset)) unsupported(layer, 'per-channel scale / offset');
      const m = em.op('MUL', { activation: 'none' }, [x, em.constant(`${layer.name}/scale`, [1], new Float32Array([scale]))], s, `${layer.name}/mul`);
      if (xs[0] === em.inputs[0]) ctx.rescaled = true;
      return [em.op('ADD', { activation: 'none' }, [m, em.constant(`${layer.name}/offset`, [1], new Float32Array([offset]))], s, layer.name)];
    }
    default:
      throw new UnsupportedError(`tfjs: layer ${layer.name} has class ${layer.className}, which is not supported`);
  }
}
