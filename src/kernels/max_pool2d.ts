import type { Graph, Node, NodeOf, TypedArray } from '../graph/index.js';
import { activationRangeFloat, activationRangeQuantized, dtypesAre, nodeLabel, outputTensor, quantOf } from './common.js';
import { defineKernel, type Kernel, type KernelDType } from './kernel.js';
import { forEachWindow, poolGeometry, type WindowGeom } from './window_geom.js';

interface PoolP {
  geo: WindowGeom;
  lo: number;
  hi: number;
}

function maxPoolKernel(dtype: KernelDType, t: 'float32' | 'uint8' | 'int8'): Kernel<PoolP> {
  return defineKernel({
    name: `maxpool_${dtype}_ref`,
    op: 'MAX_POOL_2D',
    dtype,
    variant: 'ref',
    supports: (node: Node, g: Graph) => node.op === 'MAX_POOL_2D' && dtypesAre(g, [node.inputs[0]!, node.outputs[0]!], t),
    prepare(node: Node, g: Graph): PoolP {
      const n = node as NodeOf<'MAX_POOL_2D'>;
      const where = nodeLabel(node);
      let range: [number, number];
      if (t === 'float32') {
        range = activationRangeFloat(n.attrs.activation, where);
      } else {
        const y = outputTensor(g, node);
        const q = quantOf(y, where);
        range = activationRangeQuantized(n.attrs.activation, y.dtype, q.scale, q.zeroPoint, where);
      }
      return { geo: poolGeometry(n, g), lo: range[0], hi: range[1] };
    },
    run(p: PoolP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x = inputs[0] as Float32Array | Uint8Array | Int8Array;
      const y = outputs[0] as Float32Array | Uint8Array | Int8Array;
      const C = p.geo.inC;
      forEachWindow(p.geo, (base, count, o) => {
        for (let c = 0; c < C; c++) {
          let m = -Infinity;
          for (let i = 0; i < count; i++) {
            const v = x[base[i]! + c]!;
            if (v > m) m = v;
          }
          y[o + c] = m < p.lo ? p.lo : m > p.hi ? p.hi : m;
        }
      });
    },
  });
}

/** Float max pooling. */
export const maxpool_f32_ref = maxPoolKernel('f32', 'float32');
/** uint8 max pooling. */
export const maxpool_u8_ref = maxPoolKernel('u8', 'uint8');
/** int8 max pooling. */
export const maxpool_i8_ref = maxPoolKernel('i8', 'int8');
