import type { Graph, Node, NodeOf, TypedArray } from '../graph/index.js';
import { activationRangeFloat, dtypesAre, nodeLabel } from './common.js';
import { constData, convQuant, floatBias, type ConvQuant } from './conv_quant.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';
import { multiplyByQuantizedMultiplierGemm as requantize } from './quant_math.js';
import { filterGeometry, type WindowGeom } from './window_geom.js';

/**
 * Gathers the receptive field of output pixel (b, oy, ox) into `patch` (KH·KW·C, filter order),
 * each value plus `offset`; padded positions get `fill`.
 */
function gatherPatch(
  geo: WindowGeom,
  x: ArrayLike<number>,
  b: number,
  oy: number,
  ox: number,
  offset: number,
  fill: number,
  patch: Float64Array | Int32Array,
): void {
  const { inH, inW, inC, kH, kW } = geo;
  let p = 0;
  for (let ky = 0; ky < kH; ky++) {
    const iy = oy * geo.strideH - geo.padTop + ky * geo.dilH;
    for (let kx = 0; kx < kW; kx++) {
      const ix = ox * geo.strideW - geo.padLeft + kx * geo.dilW;
      if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
        patch.fill(fill, p, p + inC);
      } else {
        const base = ((b * inH + iy) * inW + ix) * inC;
        for (let c = 0; c < inC; c++) patch[p + c] = x[base + c]! + offset;
      }
      p += inC;
    }
  }
}

interface ConvF32 {
  geo: WindowGeom;
  filter: Float32Array;
  bias: Float32Array;
  lo: number;
  hi: number;
}

/** Float 2-D convolution. */
export const conv2d_f32_ref: Kernel<ConvF32> = defineKernel({
  name: 'conv2d_f32_ref',
  op: 'CONV_2D',
  dtype: 'f32',
  variant: 'ref',
  supports: (node: Node, g: Graph) => node.op === 'CONV_2D' && dtypesAre(g, [...node.inputs, ...node.outputs], 'float32'),
  prepare(node: Node, g: Graph): ConvF32 {
    const n = node as NodeOf<'CONV_2D'>;
    const geo = filterGeometry(n, g);
    const [lo, hi] = activationRangeFloat(n.attrs.activation, nodeLabel(node));
    return { geo, filter: Float32Array.from(constData(node, g, 1, 'filter')), bias: floatBias(node, g, geo.outC), lo, hi };
  },
  run(p: ConvF32, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
    const x = inputs[0] as Float32Array;
    const y = outputs[0] as Float32Array;
    const { geo, filter, bias, lo, hi } = p;
    const k = geo.kH * geo.kW * geo.inC;
    const patch = new Float64Array(k);
    let o = 0;
    for (let b = 0; b < geo.batch; b++) {
      for (let oy = 0; oy < geo.outH; oy++) {
        for (let ox = 0; ox < geo.outW; ox++) {
          gatherPatch(geo, x, b, oy, ox, 0, 0, patch);
          for (let oc = 0; oc < geo.outC; oc++) {
            let acc = 0;
            const wb = oc * k;
            for (let i = 0; i < k; i++) acc += patch[i]! * filter[wb + i]!;
            const v = Math.fround(acc + bias[oc]!);
            y[o++] = v < lo ? lo : v > hi ? hi : v;
          }
        }
      }
    }
  },
});

interface ConvQ {
  geo: WindowGeom;
  /** Filter values minus their zero point, OHWI. */
  filter: Int32Array;
  q: ConvQuant;
}

function prepareQuant(node: Node, g: Graph): ConvQ {
  const n = node as NodeOf<'CONV_2D'>;
  const geo = filterGeometry(n, g);
  const q = convQuant(node, g, geo.outC, n.attrs.activation);
  const raw = constData(node, g, 1, 'filter');
  const k = geo.kH * geo.kW * geo.inC;
  const filter = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) filter[i] = raw[i]! - q.filterZeroPoint[Math.floor(i / k)]!;
  return { geo, filter, q };
}

function runQuant(p: ConvQ, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
  const x = inputs[0] as Uint8Array | Int8Array;
  const y = outputs[0] as Uint8Array | Int8Array;
  const { geo, filter, q } = p;
  const k = geo.kH * geo.kW * geo.inC;
  const patch = new Int32Array(k);
  let o = 0;
  for (let b = 0; b < geo.batch; b++) {
    for (let oy = 0; oy < geo.outH; oy++) {
      for (let ox = 0; ox < geo.outW; ox++) {
        gatherPatch(geo, x, b, oy, ox, q.inputOffset, 0, patch);
        for (let oc = 0; oc < geo.outC; oc++) {
          let acc = q.bias[oc]!;
          const wb = oc * k;
          for (let i = 0; i < k; i++) acc += patch[i]! * filter[wb + i]!;
          let v = requantize(acc | 0, q.multiplier[oc]!, q.shift[oc]!) + q.outputOffset;
          v = v < q.actMin ? q.actMin : v > q.actMax ? q.actMax : v;
          y[o++] = v;
        }
      }
    }
  }
}

function quantKernel(dtype: KernelDType, t: 'uint8' | 'int8'): Kernel<ConvQ> {
  return defineKernel({
    name: `conv2d_${dtype}_ref`,
    op: 'CONV_2D',
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) =>
      node.op === 'CONV_2D' &&
      dtypesAre(g, [node.inputs[0]!, node.inputs[1]!, node.outputs[0]!], t) &&
      dtypesAre(g, [node.inputs[2] ?? -1], 'int32'),
    prepare: prepareQuant,
    run: runQuant,
  });
}

/** uint8 2-D convolution (per-tensor asymmetric weights). */
export const conv2d_u8_ref = quantKernel('u8', 'uint8');
/** int8 2-D convolution (per-channel weights, int32 bias). */
export const conv2d_i8_ref = quantKernel('i8', 'int8');
