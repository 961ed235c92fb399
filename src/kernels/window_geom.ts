import type { Graph, NodeOf } from '../graph/index.js';
import { inputTensor, outputTensor, padBefore } from './common.js';

/** Geometry of a 2-D window (convolution filter or pooling window) sliding over an NHWC tensor. */
export interface WindowGeom {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padTop: number;
  padLeft: number;
}

/** Window geometry from the NHWC input and output shapes, the window size, strides and dilations. */
export function windowGeometry(
  x: readonly number[],
  y: readonly number[],
  kH: number,
  kW: number,
  a: { strideH: number; strideW: number; dilationH?: number; dilationW?: number },
): WindowGeom {
  const dilH = a.dilationH ?? 1;
  const dilW = a.dilationW ?? 1;
  return {
    batch: x[0]!,
    inH: x[1]!,
    inW: x[2]!,
    inC: x[3]!,
    outH: y[1]!,
    outW: y[2]!,
    outC: y[3]!,
    kH,
    kW,
    strideH: a.strideH,
    strideW: a.strideW,
    dilH,
    dilW,
    padTop: padBefore(a.strideH, dilH, x[1]!, kH, y[1]!),
    padLeft: padBefore(a.strideW, dilW, x[2]!, kW, y[2]!),
  };
}

/** Geometry of a convolution-like node (input 0 NHWC, input 1 the filter with its window at dimensions 1 and 2). */
export function filterGeometry(node: NodeOf<'CONV_2D' | 'DEPTHWISE_CONV_2D'>, g: Graph): WindowGeom {
  const w = inputTensor(g, node, 1).shape;
  return windowGeometry(inputTensor(g, node, 0).shape, outputTensor(g, node).shape, w[1]!, w[2]!, node.attrs);
}

/** Geometry of a pooling node whose shapes are inferred. */
export function poolGeometry(node: NodeOf<'AVERAGE_POOL_2D' | 'MAX_POOL_2D'>, g: Graph): WindowGeom {
  const a = node.attrs;
  return windowGeometry(inputTensor(g, node, 0).shape, outputTensor(g, node).shape, a.filterH, a.filterW, a);
}

/**
 * Calls `visit(base, count, outBase)` once per output pixel of a pooling window (no dilation): `base` lists the NHWC
 * offsets of the in-bounds input pixels of the window (the first `count` entries), `outBase` the output pixel offset.
 */
export function forEachWindow(geo: WindowGeom, visit: (base: Int32Array, count: number, outBase: number) => void): void {
  const base = new Int32Array(geo.kH * geo.kW);
  let o = 0;
  for (let b = 0; b < geo.batch; b++) {
    for (let oy = 0; oy < geo.outH; oy++) {
      const y0 = oy * geo.strideH - geo.padTop;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(geo.kH + y0, geo.inH);
      for (let ox = 0; ox < geo.outW; ox++) {
        const x0 = ox * geo.strideW - geo.padLeft;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(geo.kW + x0, geo.inW);
        let n = 0;
        for (let iy = yStart; iy < yEnd; iy++) {
          for (let ix = xStart; ix < xEnd; ix++) base[n++] = ((b * geo.inH + iy) * geo.inW + ix) * geo.inC;
        }
        visit(base, n, o);
        o += geo.inC;
      }
    }
  }
}
