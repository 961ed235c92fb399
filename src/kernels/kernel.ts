import type { Graph, Node, OpName, TypedArray } from '../graph/index.js';
import type { WasmContext } from './wasm/context.js';

/** What the runtime offers kernels at prepare time. */
export interface KernelContext {
  /** The WASM kernels, a heap in their memory and a task runner; present when the runtime uses WASM kernels, whose
   * inputs and outputs are then views of that memory. */
  wasm?: WasmContext;
}

/** Element type family a kernel computes in. */
export type KernelDType = 'f32' | 'u8' | 'i8';

/**
 * One implementation of one op for one dtype. Reference kernels have variant 'ref';
 * fast variants ('simd', ...) sit beside them in the registry and are preferred when they support a node.
 */
export interface Kernel<P = unknown> {
  /** `<op>_<dtype>_<variant>`, e.g. `conv2d_u8_ref`. */
  name: string;
  op: OpName;
  dtype: KernelDType;
  variant: 'ref' | string;
  /** Runs on the WebAssembly kernels: prepare needs `ctx.wasm`, and inputs/outputs are views of its memory. */
  wasm?: boolean;
  /** Whether this kernel can run that node (dtypes, filter size, ...). Shapes are already inferred. */
  supports(node: Node, g: Graph): boolean;
  /** Precomputes per-node constants (multipliers, packed weights, geometry) once at load. */
  prepare(node: Node, g: Graph, ctx?: KernelContext): P;
  /**
   * Runs the node. `inputs` is aligned with `node.inputs` (constants passed as their data, absent
   * optional inputs as null); `outputs` with `node.outputs`.
   */
  run(p: P, inputs: (TypedArray | null)[], outputs: TypedArray[]): void;
}

/** Declares a kernel with its parameter type inferred from `prepare`. */
export function defineKernel<P>(k: Kernel<P>): Kernel<P> {
  return k;
}
