import { ShapeError } from '../errors.js';
import type { RgbImage } from '../formats/image/types.js';
import type { ResizeConvention } from '../graph/graph.js';

/**
 * How to bring an image to a model's input size.
 *
 * - `'central-crop'` (default): TF-slim `preprocess_for_eval` — `tf.image.central_crop` keeps the central
 *   `cropFraction` (0.875) of each side, offset `int((size − size·fraction) / 2)`, size `size − 2·offset`; then
 *   `tf.image.resize_bilinear` (TF1 defaults: align_corners=False, half_pixel_centers=False).
 * - `'resize'`: the whole image squashed to the model size with the same bilinear resize (Coral, TF.js mobilenet).
 * - `'resize-crop'`: torchvision `Resize(S)` + `CenterCrop(size)` with S = floor(size / cropFraction)
 *   (256 for 224 at 0.875): the shorter side becomes S, the longer `int(S·long/short)`, resampled with an
 *   antialiased triangle filter as PIL's BILINEAR and torchvision's `antialias=True`; the crop offset is
 *   `round((S' − size) / 2)` with Python's half-to-even rounding.
 */
export interface PreprocessOptions extends Partial<ResizeConvention> {
  /** Model input width. */
  width: number;
  /** Model input height. */
  height: number;
  /** Crop/resize convention (default `'central-crop'`). */
  mode?: 'central-crop' | 'resize' | 'resize-crop';
  /** `'central-crop'`: fraction of each side kept; `'resize-crop'`: crop size / resize size. Default 0.875. */
  cropFraction?: number;
  /**
   * Resample with an antialiased triangle filter (PIL BILINEAR / torchvision antialias=True) instead of
   * TensorFlow's plain bilinear interpolation. Default: true for `'resize-crop'`, false otherwise.
   */
  antialias?: boolean;
}

/** An RGB image of float samples on the 0..255 scale, 3 per pixel, row-major. */
export interface FloatRgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Contiguous source taps of one output sample: pixels `start … start + weights.length − 1`. */
interface Taps {
  start: number;
  weights: Float64Array;
}

/** TF1 `resize_bilinear` (align_corners=False, half_pixel_centers=False): source = out·(in/out). */
function bilinearTaps(inSize: number, outSize: number): Taps[] {
  const scale = inSize / outSize;
  const taps: Taps[] = [];
  for (let o = 0; o < outSize; o++) {
    const pos = o * scale;
    const lo = Math.floor(pos);
    const hi = Math.min(Math.ceil(pos), inSize - 1);
    const lerp = pos - lo;
    taps.push(hi === lo ? { start: lo, weights: Float64Array.of(1) } : { start: lo, weights: Float64Array.of(1 - lerp, lerp) });
  }
  return taps;
}

/** PIL's antialiased BILINEAR (triangle filter widened by the downscale factor, weights normalised). */
function triangleTaps(inSize: number, outSize: number): Taps[] {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps: Taps[] = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const weights = new Float64Array(Math.max(hi - lo, 1));
    let sum = 0;
    for (let i = 0; i < hi - lo; i++) {
      const w = Math.max(0, 1 - Math.abs((i + lo - center + 0.5) / filterScale));
      weights[i] = w;
      sum += w;
    }
    if (sum > 0) for (let i = 0; i < weights.length; i++) weights[i] /= sum;
    else weights[0] = 1;
    taps.push({ start: Math.min(lo, inSize - 1), weights });
  }
  return taps;
}

/** A source rectangle and per-axis taps relative to it, restricted to the output window. */
interface Plan {
  x0: number;
  y0: number;
  xTaps: Taps[];
  yTaps: Taps[];
}

/** Python 3 `round` (half to even) for the torchvision crop offset. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function checkImage(img: RgbImage | FloatRgbImage): void {
  const { width, height, data } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) {
    throw new ShapeError(`image size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new ShapeError(`image data has ${data.length} values, expected ${width}x${height}x3 = ${width * height * 3}`);
  }
}

function plan(img: RgbImage, o: PreprocessOptions): Plan {
  checkImage(img);
  const { width: W, height: H } = o;
  if (!(Number.isInteger(W) && Number.isInteger(H) && W >= 1 && H >= 1)) {
    throw new RangeError(`model input size must be positive integers, got ${W}x${H}`);
  }
  const mode = o.mode ?? 'central-crop';
  const fraction = o.cropFraction ?? 0.875;
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`cropFraction must be in (0, 1], got ${fraction}`);
  const { width: w, height: h } = img;
  if (mode === 'resize' || mode === 'central-crop') {
    const taps = o.antialias ? triangleTaps : bilinearTaps;
    if (mode === 'resize') return { x0: 0, y0: 0, xTaps: taps(w, W), yTaps: taps(h, H) };
    const x0 = Math.trunc((w - w * fraction) / 2);
    const y0 = Math.trunc((h - h * fraction) / 2);
    return { x0, y0, xTaps: taps(w - 2 * x0, W), yTaps: taps(h - 2 * y0, H) };
  }
  if (mode !== 'resize-crop') throw new RangeError(`unknown resize mode '${String(mode)}'`);
  const short = Math.floor(Math.max(W, H) / fraction);
  const [rw, rh] = w <= h ? [short, Math.floor((short * h) / w)] : [Math.floor((short * w) / h), short];
  const left = roundHalfEven((rw - W) / 2);
  const top = roundHalfEven((rh - H) / 2);
  const taps = o.antialias === false ? bilinearTaps : triangleTaps;
  return { x0: 0, y0: 0, xTaps: taps(w, rw).slice(left, left + W), yTaps: taps(h, rh).slice(top, top + H) };
}

/** Separable resampling: horizontal pass over the source rows the output needs, then vertical. */
function resample(img: RgbImage, p: Plan): Float64Array {
  const { width: w, data } = img;
  const outW = p.xTaps.length;
  const outH = p.yTaps.length;
  const rowSlot = new Map<number, number>();
  for (const t of p.yTaps) for (let i = 0; i < t.weights.length; i++) {
    const r = p.y0 + t.start + i;
    if (!rowSlot.has(r)) rowSlot.set(r, rowSlot.size);
  }
  const rowLen = outW * 3;
  const rows = new Float64Array(rowSlot.size * rowLen);
  for (const [r, slot] of rowSlot) {
    const src = r * w * 3;
    let dst = slot * rowLen;
    for (const t of p.xTaps) {
      let a = 0, b = 0, c = 0;
      for (let i = 0, s = src + (p.x0 + t.start) * 3; i < t.weights.length; i++, s += 3) {
        const wt = t.weights[i];
        a += data[s] * wt;
        b += data[s + 1] * wt;
        c += data[s + 2] * wt;
      }
      rows[dst++] = a;
      rows[dst++] = b;
      rows[dst++] = c;
    }
  }
  const out = new Float64Array(outH * rowLen);
  for (let y = 0; y < outH; y++) {
    const t = p.yTaps[y];
    const o = y * rowLen;
    for (let i = 0; i < t.weights.length; i++) {
      const base = rowSlot.get(p.y0 + t.start + i)! * rowLen;
      const wt = t.weights[i];
      for (let k = 0; k < rowLen; k++) out[o + k] += rows[base + k] * wt;
    }
  }
  return out;
}

/**
 * Crops and resizes an image to the model's input size, rounding to 8-bit (quantized models take these raw
 * pixels). See {@link PreprocessOptions} for the conventions.
 */
export function resizeForModel(img: RgbImage, o: PreprocessOptions): RgbImage {
  const v = resample(img, plan(img, o));
  const data = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(v[i])));
  return { width: o.width, height: o.height, data };
}

/** As {@link resizeForModel} but without rounding: float samples on the 0..255 scale, for float models. */
export function resizeForModelFloat(img: RgbImage, o: PreprocessOptions): FloatRgbImage {
  return { width: o.width, height: o.height, data: Float32Array.from(resample(img, plan(img, o))) };
}

function perChannel(values: number[], what: string): [number, number, number] {
  if (values.length === 1) return [values[0], values[0], values[0]];
  if (values.length === 3) return [values[0], values[1], values[2]];
  throw new RangeError(`${what} must have 1 or 3 values, got ${values.length}`);
}

function normalizer(mean: number[], std: number[]): (v: number, c: number) => number {
  const m = perChannel(mean, 'mean');
  const s = perChannel(std, 'std');
  if (s.some((x) => !(x !== 0 && Number.isFinite(x)))) throw new RangeError(`std must be finite and non-zero, got [${std}]`);
  return (v, c) => (v - m[c]) / s[c];
}

/** `(pixel − mean) / std` per channel, NHWC (height × width × 3). `mean`/`std` hold 1 or 3 values on the 0..255 scale. */
export function toFloatInput(img: RgbImage | FloatRgbImage, mean: number[], std: number[]): Float32Array {
  checkImage(img);
  const f = normalizer(mean, std);
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(img.data[i], i % 3);
  return out;
}

/** `(pixel − mean) / std` per channel, NCHW (3 × height × width) for PyTorch-layout models. */
export function toNchwFloat(img: RgbImage | FloatRgbImage, mean: number[], std: number[]): Float32Array {
  checkImage(img);
  const f = normalizer(mean, std);
  const plane = img.width * img.height;
  const out = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[c * plane + p] = f(img.data[3 * p + c], c);
  }
  return out;
}
