// The 8-bit table kernels (src/kernels/lut.ts) on the WASM kernels: same tables, looked up in WebAssembly, elements
// split across threads.
import type { Graph, Node, TypedArray } from '../../graph/index.js';
import { defineKernel, type Kernel, type KernelContext } from '../kernel.js';
import type { LutP } from '../lut.js';
import { share } from './context.js';
import { addr, computed, needWasm, tasks, type Tasks } from './kernel_common.js';

interface WasmLutP {
  t: Tasks;
  v: number;
  n: number;
  table: number;
}

/** The WASM form of a table kernel (name `<op>_<dtype>_lut_simd128`). */
export function wasmLut(js: Kernel<LutP>): Kernel<WasmLutP> {
  return defineKernel({
    name: `${js.name}_simd128`,
    op: js.op,
    dtype: js.dtype,
    variant: 'lut_simd128',
    wasm: true,
    supports: (node: Node, g: Graph) => js.supports(node, g) && computed(g, [...node.inputs.filter((i) => !g.tensors[i]?.data), ...node.outputs]),
    prepare(node: Node, g: Graph, ctx?: KernelContext): WasmLutP {
      const w = needWasm(ctx, node);
      const p = js.prepare(node, g);
      let n = 1;
      for (const d of g.tensors[node.outputs[0]!]!.shape) n *= d;
      return { t: tasks(w, 'lut8_run', Math.ceil(n / 16384)), v: p.v, n, table: w.heap.put(p.table) };
    },
    run(p: WasmLutP, inputs: (TypedArray | null)[], outputs: TypedArray[]): void {
      const x = addr(inputs[p.v]!), y = addr(outputs[0]!);
      const { runner, fn, n } = p.t;
      for (let t = 0; t < n; t++) {
        const [i0, i1] = share(p.n, n, t, 16);
        const a = runner.args(t);
        a[0] = i1 - i0; a[1] = x + i0; a[2] = p.table; a[3] = y + i0;
      }
      runner.run(fn, n);
    },
  });
}
