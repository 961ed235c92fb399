import type { Graph, Node, NodeOf, TypedArray } from '../graph/index.js';
import { activationRangeFloat, activationRangeQuantized, dtypesAre, nodeLabel, outputTensor, quantOf } from './common.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';
import { forEachWindow, poolGeometry, type WindowGeom } from './window_geom.js';

interface PoolP {
  geo: WindowGeom;
  lo: number;
  hi: number;
}

function supports(t: 'float32' | 'uint8' | 'int8') {
  return (node: Node, g: Graph): boolean =>
    node.op === 'AVERAGE_POOL_2D' && dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], t);
}

/** Float average pooling over the valid (unpadded) part of each window. */
export const avgpool_f32_ref: Kernel<PoolP> = defineKernel({
  name: 'avgpool_f32_ref',
  op: 'AVERAGE_POOL_2D',
  dtype: 'f32',
  variant: 'ref',
  supports: supports('float32'),
  prepare(node: Node, g: Graph): PoolP {
    const n = node as NodeOf<'AVERAGE_POOL_2D'>;
    const [lo, hi] = activationRangeFloat(n.attrs.activation, nodeLabel(node));
    return { geo: poolGeometry(n, g), lo, hi };
  },
  run(p: PoolP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
    const x = inputs[0] as Float32Array;
    const y = outputs[0] as Float32Array;
    const C = p.geo.inC;
    forEachWindow(p.geo, (base, count, o) => {
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let i = 0; i < count; i++) s = Math.fround(s + x[base[i]! + c]!);
        const v = Math.fround(s / count);
        y[o + c] = v < p.lo ? p.lo : v > p.hi ? p.hi : v;
      }
    });
  },
});

function quantKernel(dtype: KernelDType, t: 'uint8' | 'int8'): Kernel<PoolP> {
  return defineKernel({
    name: `avgpool_${dtype}_ref`,
    op: 'AVERAGE_POOL_2D',
    dtype,
    variant: 'ref',
    supports: supports(t),
    prepare(node: Node, g: Graph): PoolP {
      const n = node as NodeOf<'AVERAGE_POOL_2D'>;
      const y = outputTensor(g, node);
      const q = quantOf(y, nodeLabel(node));
      const [lo, hi] = activationRangeQuantized(n.attrs.activation, y.dtype, q.scale, q.zeroPoint, nodeLabel(node));
      return { geo: poolGeometry(n, g), lo, hi };
    },
    // TFLite rounds the integer mean half away from zero: (sum ± count/2) / count, truncating.
    run(p: PoolP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x = inputs[0] as Uint8Array | Int8Array;
      const y = outputs[0] as Uint8Array | Int8Array;
      const C = p.geo.inC;
      forEachWindow(p.geo, (base, count, o) => {
        const half = count >> 1;
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let i = 0; i < count; i++) s += x[base[i]! + c]!;
          const v = s > 0 ? Math.trunc((s + half) / count) : Math.trunc((s - half) / count);
          y[o + c] = v < p.lo ? p.lo : v > p.hi ? p.hi : v;
        }
      });
    },
  });
}

/** uint8 average pooling (input and output share scale and zero point). */
export const avgpool_u8_ref = quantKernel('u8', 'uint8');
/** int8 average pooling. */
export const avgpool_i8_ref = quantKernel('i8', 'int8');
