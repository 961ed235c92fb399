import { ShapeError } from '../errors.js';
import type { Graph, Tensor, TypedArray } from '../graph/index.js';
import { numElements, shapeToString, view } from '../graph/index.js';
import { inferShapes } from '../graph/shape.js';
import type { Kernel } from '../kernels/kernel.js';
import { selectKernel } from '../kernels/registry.js';
import { planArena } from './arena.js';

/** Options of a Session. */
export interface SessionOptions {
  /** Kernel variant to prefer; 'ref' forces the reference kernels (for tests). */
  variant?: string;
  /** Worker threads for kernels that can split their work (default 1; ignored until threaded kernels exist). */
  threads?: number;
}

/** A node bound to its kernel and prepared parameters. */
interface Step {
  kernel: Kernel<unknown>;
  params: unknown;
  inputs: number[];
  outputs: number[];
}

/** Arena memory and tensor views for one set of fetched tensors, reused across runs. */
interface Bound {
  views: (TypedArray | null)[];
  stepInputs: (TypedArray | null)[][];
  stepOutputs: TypedArray[][];
}

const ARRAY_TYPES: Record<string, string> = {
  float32: 'Float32Array',
  int32: 'Int32Array',
  uint8: 'Uint8Array',
  bool: 'Uint8Array',
  int8: 'Int8Array',
  int16: 'Int16Array',
  int64: 'BigInt64Array',
};

/**
 * Executes a graph: shapes are inferred, a kernel is chosen and prepared for every node once, and
 * activations live in one arena buffer reused by every run.
 */
export class Session {
  /** The graph with inferred shapes. */
  readonly graph: Graph;
  /** The chosen kernel name per node, in node order. */
  readonly kernelNames: readonly string[];
  private readonly steps: Step[];
  private readonly bound = new Map<string, Bound>();

  constructor(graph: Graph, options: SessionOptions = {}) {
    this.graph = inferShapes(graph);
    const g = this.graph;
    this.steps = g.nodes.map((node) => {
      const kernel = selectKernel(node, g, options.variant);
      return { kernel, params: kernel.prepare(node, g), inputs: node.inputs, outputs: node.outputs };
    });
    this.kernelNames = this.steps.map((s) => s.kernel.name);
  }

  /**
   * Runs the graph with one array per graph input (dtype and element count checked) and returns
   * copies of the requested tensors (default: the graph outputs).
   */
  run(inputs: TypedArray[], fetch: number[] = this.graph.outputs): TypedArray[] {
    const g = this.graph;
    if (inputs.length !== g.inputs.length) {
      throw new ShapeError(`expected ${g.inputs.length} input tensor(s), got ${inputs.length}`);
    }
    for (const t of fetch) {
      if (!g.tensors[t]) throw new ShapeError(`cannot fetch tensor ${t}: the graph has ${g.tensors.length} tensors`);
    }
    const b = this.bind(fetch);
    g.inputs.forEach((ti, k) => {
      const t = g.tensors[ti]!;
      const x = inputs[k]!;
      checkInput(t, x, k);
      (b.views[ti] as Uint8Array).set(x as Uint8Array);
    });
    for (let i = 0; i < this.steps.length; i++) {
      const s = this.steps[i]!;
      s.kernel.run(s.params, b.stepInputs[i]!, b.stepOutputs[i]!);
    }
    return fetch.map((t) => {
      const v = b.views[t];
      if (!v) throw new ShapeError(`tensor ${t} '${g.tensors[t]!.name}' is not computed by the graph`);
      return v.slice();
    });
  }

  private bind(fetch: number[]): Bound {
    const key = fetch.join(',');
    const cached = this.bound.get(key);
    if (cached) return cached;
    const g = this.graph;
    const plan = planArena(g, fetch);
    const buffer = new ArrayBuffer(plan.size);
    const views = g.tensors.map((t, i): TypedArray | null => {
      if (t.data) return t.data;
      const off = plan.offsets[i]!;
      return off < 0 ? null : view(t.dtype, buffer, off, numElements(t.shape));
    });
    const bound: Bound = {
      views,
      stepInputs: this.steps.map((s) => s.inputs.map((t) => (t < 0 ? null : views[t]!))),
      stepOutputs: this.steps.map((s) => s.outputs.map((t) => views[t]!)),
    };
    this.bound.set(key, bound);
    return bound;
  }
}

function checkInput(t: Tensor, x: TypedArray, k: number): void {
  const want = ARRAY_TYPES[t.dtype];
  const n = numElements(t.shape);
  if (x?.constructor?.name !== want) {
    throw new ShapeError(`input ${k} '${t.name}' must be a ${want} (${t.dtype}), got ${x?.constructor?.name ?? typeof x}`);
  }
  if (x.length !== n) {
    throw new ShapeError(`input ${k} '${t.name}' must have ${n} elements ${shapeToString(t.shape)}, got ${x.length}`);
  }
}
