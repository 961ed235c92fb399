// Early runs of the WASM kernels while a session is prepared. V8 runs new WebAssembly code with its baseline compiler
// and compiles a function with its optimizing one, in the background, only once the function has run a while; run
// during prepare, that compile overlaps the weight packing instead of the first inference's first layers.
import type { Graph, Node, TypedArray } from '../graph/index.js';
import { bytesPerElement, numElements, view } from '../graph/index.js';
import type { Kernel } from '../kernels/kernel.js';
import { WASM_EXTRA_BYTES } from '../kernels/wasm/exports.js';
import type { WasmRuntime } from './wasm_runtime.js';

/**
 * For each WASM kernel that runs two nodes or more, its cheapest node (fewest output and constant input elements: its
 * weights are packed first, while the packing code is still unoptimized); a kernel that runs one node gains nothing
 * from running it twice. The kernel with the most elements in all comes first, its optimized code being most wanted.
 */
export function warmUpNodes(g: Graph, kernels: readonly Kernel<unknown>[]): number[] {
  const uses = new Map<Kernel<unknown>, { count: number; node: number; size: number; total: number }>();
  g.nodes.forEach((node, i) => {
    const k = kernels[i]!;
    if (!k.wasm) return;
    const size = [...node.outputs, ...node.inputs].reduce((a, t) => {
      const x = t >= 0 ? g.tensors[t] : undefined;
      return a + (x && (x.data || node.outputs.includes(t)) ? numElements(x.shape) : 0);
    }, 0);
    const u = uses.get(k);
    if (!u) uses.set(k, { count: 1, node: i, size, total: size });
    else {
      u.count++;
      u.total += size;
      if (size < u.size) Object.assign(u, { node: i, size });
    }
  });
  return [...uses.values()].filter((u) => u.count >= 2).sort((a, b) => b.total - a.total).map((u) => u.node);
}

/** Runs a prepared WASM kernel once on scratch tensors in the heap (contents irrelevant), released afterwards. */
export function warmUp(w: WasmRuntime, g: Graph, node: Node, kernel: Kernel<unknown>, params: unknown): void {
  const mark = w.heap.end;
  try {
    const place = (t: number): number => {
      const x = t >= 0 ? g.tensors[t] : undefined;
      return x && !x.data ? w.heap.alloc(numElements(x.shape) * bytesPerElement(x.dtype) + WASM_EXTRA_BYTES) : -1;
    };
    const ins = node.inputs.map(place);
    const outs = node.outputs.map(place);
    // Views made after the last allocation: growing the memory replaces its buffer.
    const buffer = w.kernels.memory.buffer as ArrayBuffer;
    const viewOf = (t: number, at: number): TypedArray | null => {
      if (t < 0) return null;
      const x = g.tensors[t]!;
      return x.data ?? view(x.dtype, buffer, at, numElements(x.shape));
    };
    kernel.run(params, node.inputs.map((t, j) => viewOf(t, ins[j]!)), node.outputs.map((t, j) => viewOf(t, outs[j]!)!));
  } finally {
    w.heap.release(mark);
  }
}
