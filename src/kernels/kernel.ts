import type { Graph, Node, OpName, TypedArray } from '../graph/index.js';

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
  /** Whether this kernel can run that node (dtypes, filter size, ...). Shapes are already inferred. */
  supports(node: Node, g: Graph): boolean;
  /** Precomputes per-node constants (multipliers, packed weights, geometry) once at load. */
  prepare(node: Node, g: Graph): P;
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
