import type { Graph, NodeOf } from '../graph/index.js';
import { inputTensor, outputTensor, padBefore } from './common.js';

/** Geometry of a 2-D pooling window over an NHWC tensor. */
export interface PoolGeom {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** Pool geometry of a node whose shapes are inferred. */
export function poolGeometry(node: NodeOf<'AVERAGE_POOL_2D' | 'MAX_POOL_2D'>, g: Graph): PoolGeom {
  const x = inputTensor(g, node, 0).shape;
  const y = outputTensor(g, node).shape;
  const a = node.attrs;
  return {
    batch: x[0]!,
    inH: x[1]!,
    inW: x[2]!,
    channels: x[3]!,
    outH: y[1]!,
    outW: y[2]!,
    filterH: a.filterH,
    filterW: a.filterW,
    strideH: a.strideH,
    strideW: a.strideW,
    padTop: padBefore(a.strideH, 1, x[1]!, a.filterH, y[1]!),
    padLeft: padBefore(a.strideW, 1, x[2]!, a.filterW, y[2]!),
  };
}

/**
 * Calls `visit(base, count, outBase)` once per output pixel: `base` lists the NHWC offsets of the
 * in-bounds input pixels of the window (the first `count` entries), `outBase` the output pixel offset.
 */
export function forEachWindow(geo: PoolGeom, visit: (base: Int32Array, count: number, outBase: number) => void): void {
  const base = new Int32Array(geo.filterH * geo.filterW);
  let o = 0;
  for (let b = 0; b < geo.batch; b++) {
    for (let oy = 0; oy < geo.outH; oy++) {
      const y0 = oy * geo.strideH - geo.padTop;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(geo.filterH + y0, geo.inH);
      for (let ox = 0; ox < geo.outW; ox++) {
        const x0 = ox * geo.strideW - geo.padLeft;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(geo.filterW + x0, geo.inW);
        let n = 0;
        for (let iy = yStart; iy < yEnd; iy++) {
          for (let ix = xStart; ix < xEnd; ix++) base[n++] = ((b * geo.inH + iy) * geo.inW + ix) * geo.channels;
        }
        visit(base, n, o);
        o += geo.channels;
      }
    }
  }
}
