import type { Graph, Node, NodeOf, TypedArray } from '../graph/index.js';
import { activationRangeFloat, dtypesAre, nodeLabel } from './common.js';
import { constData, convQuant, floatBias, type ConvQuant } from './conv_quant.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';
import { multiplyByQuantizedMultiplier } from './quant_math.js';
import { filterGeometry, type WindowGeom } from './window_geom.js';

/** Geometry of a depthwise convolution (NHWC input, 1HWC filter, C = inC · multiplier). */
interface DwGeom extends WindowGeom {
  mult: number;
}

function geometry(node: NodeOf<'DEPTHWISE_CONV_2D'>, g: Graph): DwGeom {
  const geo = filterGeometry(node, g);
  return { ...geo, mult: geo.outC / geo.inC };
}

/**
 * Visits every output element with its input channel and the in-bounds window taps
 * (pairs of input pixel offset and filter tap offset).
 */
function forEachOutput(
  geo: DwGeom,
  onElement: (oc: number, xBase: number, taps: Int32Array, n: number, outIndex: number) => void,
): void {
  const taps = new Int32Array(geo.kH * geo.kW * 2);
  let o = 0;
  for (let b = 0; b < geo.batch; b++) {
    for (let oy = 0; oy < geo.outH; oy++) {
      for (let ox = 0; ox < geo.outW; ox++) {
        // Collect (input pixel offset, filter tap) pairs of the in-bounds window positions.
        let n = 0;
        for (let ky = 0; ky < geo.kH; ky++) {
          const iy = oy * geo.strideH - geo.padTop + ky * geo.dilH;
          if (iy < 0 || iy >= geo.inH) continue;
          for (let kx = 0; kx < geo.kW; kx++) {
            const ix = ox * geo.strideW - geo.padLeft + kx * geo.dilW;
            if (ix < 0 || ix >= geo.inW) continue;
            taps[2 * n] = ((b * geo.inH + iy) * geo.inW + ix) * geo.inC;
            taps[2 * n + 1] = (ky * geo.kW + kx) * geo.outC;
            n++;
          }
        }
        for (let oc = 0; oc < geo.outC; oc++) onElement(oc, Math.floor(oc / geo.mult), taps, n, o++);
      }
    }
  }
}

interface DwF32 {
  geo: DwGeom;
  filter: Float32Array;
  bias: Float32Array;
  lo: number;
  hi: number;
}

/** Float depthwise convolution. */
export const dwconv_f32_ref: Kernel<DwF32> = defineKernel({
  name: 'dwconv_f32_ref',
  op: 'DEPTHWISE_CONV_2D',
  dtype: 'f32',
  variant: 'ref',
  supports: (node: Node, g: Graph) =>
    node.op === 'DEPTHWISE_CONV_2D' && dtypesAre(g, [...node.inputs, ...node.outputs], 'float32'),
  prepare(node: Node, g: Graph): DwF32 {
    const n = node as NodeOf<'DEPTHWISE_CONV_2D'>;
    const geo = geometry(n, g);
    const [lo, hi] = activationRangeFloat(n.attrs.activation, nodeLabel(node));
    return { geo, filter: Float32Array.from(constData(node, g, 1, 'filter')), bias: floatBias(node, g, geo.outC), lo, hi };
  },
  run(p: DwF32, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
    const x = inputs[0] as Float32Array;
    const y = outputs[0] as Float32Array;
    const { filter, bias, lo, hi } = p;
    forEachOutput(p.geo, (oc, ic, taps, n, o) => {
      let acc = 0;
      for (let t = 0; t < n; t++) acc += x[taps[2 * t]! + ic]! * filter[taps[2 * t + 1]! + oc]!;
      const v = Math.fround(acc + bias[oc]!);
      y[o] = v < lo ? lo : v > hi ? hi : v;
    });
  },
});

interface DwQ {
  geo: DwGeom;
  filter: Int32Array;
  q: ConvQuant;
}

function prepareQuant(node: Node, g: Graph): DwQ {
  const n = node as NodeOf<'DEPTHWISE_CONV_2D'>;
  const geo = geometry(n, g);
  const q = convQuant(node, g, geo.outC, n.attrs.activation);
  const raw = constData(node, g, 1, 'filter');
  const filter = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) filter[i] = raw[i]! - q.filterZeroPoint[i % geo.outC]!;
  return { geo, filter, q };
}

function runQuant(p: DwQ, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
  const x = inputs[0] as Uint8Array | Int8Array;
  const y = outputs[0] as Uint8Array | Int8Array;
  const { filter, q } = p;
  const inOff = q.inputOffset;
  forEachOutput(p.geo, (oc, ic, taps, n, o) => {
    let acc = q.bias[oc]!;
    for (let t = 0; t < n; t++) acc += (x[taps[2 * t]! + ic]! + inOff) * filter[taps[2 * t + 1]! + oc]!;
    let v = multiplyByQuantizedMultiplier(acc | 0, q.multiplier[oc]!, q.shift[oc]!) + q.outputOffset;
    v = v < q.actMin ? q.actMin : v > q.actMax ? q.actMax : v;
    y[o] = v;
  });
}

function quantKernel(dtype: KernelDType, t: 'uint8' | 'int8'): Kernel<DwQ> {
  return defineKernel({
    name: `dwconv_${dtype}_ref`,
    op: 'DEPTHWISE_CONV_2D',
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) =>
      node.op === 'DEPTHWISE_CONV_2D' &&
      dtypesAre(g, [node.inputs[0]!, node.inputs[1]!, node.outputs[0]!], t) &&
      dtypesAre(g, [node.inputs[2] ?? -1], 'int32'),
    prepare: prepareQuant,
    run: runQuant,
  });
}

/** uint8 depthwise convolution. */
export const dwconv_u8_ref = quantKernel('u8', 'uint8');
/** int8 depthwise convolution (per-channel weights). */
export const dwconv_i8_ref = quantKernel('i8', 'int8');
