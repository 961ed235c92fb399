import { ShapeError, UnsupportedError } from '../errors.js';
import type { Graph, Tensor, TypedArray } from '../graph/index.js';
import { numElements, shapeToString, view } from '../graph/index.js';
import { inferShapes } from '../graph/shape.js';
import type { Kernel, KernelContext } from '../kernels/kernel.js';
import { selectKernel } from '../kernels/registry.js';
import { WASM_EXTRA_BYTES } from '../kernels/wasm/exports.js';
import { planArena } from './arena.js';
import { inPlaceAliases } from './in_place.js';
import type { WasmKernels } from '../kernels/wasm/module.js';
import { createWasmRuntime, loadWasmForThreads, wasmAvailable, type WasmRuntime } from './wasm_runtime.js';
import { warmUp, warmUpNodes } from './warm_up.js';

/** Options of a Session. */
export interface SessionOptions {
  /**
   * Kernels to use: 'auto' (default) the fastest available (WebAssembly SIMD when the engine has it, else the
   * reference kernels), 'wasm' WebAssembly SIMD kernels where they support a node (an error when the engine has no
   * SIMD), 'ref' the reference kernels only (for tests).
   */
  variant?: 'auto' | 'wasm' | 'ref';
  /**
   * Threads for the WASM kernels that split their work (convolutions, depthwise, ADD): 1 (default) runs on the
   * calling thread; n > 1 starts n - 1 worker threads sharing the WebAssembly memory (needs shared memory: Node,
   * or cross-origin isolated browsers). Call {@link Session.dispose} to stop them.
   */
  threads?: number;
}

/** A node bound to its kernel and prepared parameters. */
interface Step {
  kernel: Kernel<unknown>;
  params: unknown;
  inputs: number[];
  outputs: number[];
  /** A reshape whose output shares its input's memory: nothing to run. */
  skip: boolean;
}

/** Ops whose output is their input's bytes unchanged. */
const SHAPE_ONLY = new Set(['RESHAPE', 'SQUEEZE']);

/** Arena memory and tensor views for one set of fetched tensors, reused across runs. */
interface Bound {
  /** Start of the arena in the WASM memory (-1: a private ArrayBuffer). */
  base: number;
  offsets: Int32Array;
  buffer: ArrayBufferLike;
  views: (TypedArray | null)[];
  stepInputs: (TypedArray | null)[][];
  stepOutputs: TypedArray[][];
}

/** Time of one node in {@link Session.profile}. */
export interface NodeProfile {
  node: number;
  op: string;
  kernel: string;
  /** Output shape, e.g. `[1,112,112,32]`. */
  shape: string;
  /** Median and minimum over the runs, in milliseconds. */
  medianMs: number;
  minMs: number;
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
 * Executes a graph: shapes are inferred, a kernel is chosen and prepared for every node once (weights packed), and
 * activations live in one arena reused by every run — inside the WebAssembly memory when WASM kernels are used, so
 * WASM and reference kernels work on the same tensor views.
 */
export class Session {
  /** The graph with inferred shapes. */
  readonly graph: Graph;
  /** The chosen kernel name per node, in node order. */
  readonly kernelNames: readonly string[];
  /** Threads taking part in each op (1 without WASM kernels). */
  readonly threads: number;
  /** Why the WASM kernels (or their threads) are not used under 'auto' (e.g. the engine refuses a synchronous
   * compile, or has no worker threads), if so. */
  readonly wasmUnavailable: string | undefined;
  /** Which build of the WASM kernels runs: 'relaxed' (relaxed SIMD: FMA) or 'simd128'; undefined without WASM. */
  get wasmBuild(): 'simd128' | 'relaxed' | undefined {
    return this.wasm?.kernels.flavor;
  }
  private readonly steps: Step[];
  private readonly bound = new Map<string, Bound>();
  private readonly wasm: WasmRuntime | undefined;
  /** Tensor → tensor whose arena memory it shares. */
  private readonly alias = new Map<number, number>();

  /**
   * Prepares a session synchronously (Node; in browsers prefer {@link Session.create}, as engines may refuse to
   * compile the kernels synchronously on the main thread — 'auto' then falls back to the reference kernels).
   * `loaded`: kernels from an asynchronous load (internal, see create).
   */
  constructor(graph: Graph, options: SessionOptions = {}, loaded?: WasmKernels) {
    this.graph = inferShapes(graph);
    const g = this.graph;
    const variant = options.variant ?? 'auto';
    if (!['auto', 'wasm', 'ref'].includes(variant)) {
      throw new UnsupportedError(`unknown kernel variant '${variant}' (expected 'auto', 'wasm' or 'ref')`);
    }
    const threads = options.threads ?? 1;
    const useWasm = variant === 'wasm' || (variant === 'auto' && wasmAvailable());
    if (variant === 'wasm' && !wasmAvailable()) throw new UnsupportedError('this JavaScript engine has no WebAssembly SIMD128');
    let kernels = g.nodes.map((node) => selectKernel(node, g, useWasm ? 'wasm' : 'ref'));
    let wasm: WasmRuntime | undefined;
    let unavailable: string | undefined;
    if (kernels.some((k) => k.wasm)) {
      try {
        wasm = createWasmRuntime(threads, loaded);
      } catch (e) {
        // Bad options stay errors. Under 'auto', an engine without worker threads or shared memory runs one thread,
        // and one that cannot load the kernels at all the reference kernels; wasmUnavailable says why.
        if (variant !== 'auto' || /threads must be/.test(String(e))) throw e;
        unavailable = e instanceof Error ? e.message : String(e);
        try {
          if (threads > 1) wasm = createWasmRuntime(1);
        } catch {
          // fall through to the reference kernels
        }
        if (!wasm) kernels = g.nodes.map((node) => selectKernel(node, g, 'ref'));
      }
    }
    this.wasm = wasm;
    this.wasmUnavailable = unavailable;
    this.threads = this.wasm?.runner.threads ?? 1;
    const ctx: KernelContext = this.wasm ? { wasm: this.wasm } : {};
    try {
      const prepare = (i: number): Step => {
        const node = g.nodes[i]!;
        const kernel = kernels[i]!;
        const x = g.tensors[node.inputs[0] ?? -1];
        const y = g.tensors[node.outputs[0] ?? -1];
        const skip = SHAPE_ONLY.has(node.op) && x !== undefined && y !== undefined && !x.data && x.dtype === y.dtype &&
          numElements(x.shape) === numElements(y.shape);
        if (skip) this.alias.set(node.outputs[0]!, node.inputs[0]!);
        return { kernel, params: kernel.prepare(node, g, ctx), inputs: node.inputs, outputs: node.outputs, skip };
      };
      // A node of each WASM kernel first, run once (see warm_up.ts), then the others.
      const steps = new Array<Step>(g.nodes.length);
      const w = this.wasm;
      if (w) {
        for (const i of warmUpNodes(g, kernels)) {
          const s = (steps[i] = prepare(i));
          warmUp(w, g, g.nodes[i]!, s.kernel, s.params);
        }
      }
      for (let i = 0; i < g.nodes.length; i++) steps[i] ??= prepare(i);
      this.steps = steps;
    } catch (e) {
      this.wasm?.dispose();
      throw e;
    }
    this.kernelNames = this.steps.map((s) => s.kernel.name);
  }

  /**
   * Prepares a session after loading the WASM kernels asynchronously (the form for browsers' main threads).
   */
  static async create(graph: Graph, options: SessionOptions = {}): Promise<Session> {
    const variant = options.variant ?? 'auto';
    if (variant === 'ref' || !wasmAvailable()) return new Session(graph, options);
    return new Session(graph, options, await loadWasmForThreads(options.threads ?? 1));
  }

  /**
   * Runs the graph with one array per graph input (dtype and element count checked) and returns
   * copies of the requested tensors (default: the graph outputs).
   */
  run(inputs: TypedArray[], fetch: number[] = this.graph.outputs): TypedArray[] {
    const b = this.prepareRun(inputs, fetch);
    for (let i = 0; i < this.steps.length; i++) {
      const s = this.steps[i]!;
      if (!s.skip) s.kernel.run(s.params, b.stepInputs[i]!, b.stepOutputs[i]!);
    }
    return this.collect(b, fetch);
  }

  /**
   * Times every node over `runs` runs on `inputs` (default: deterministic pseudo-random inputs) after one warm-up
   * run; returns one row per node in node order.
   */
  profile(runs = 10, inputs?: TypedArray[]): NodeProfile[] {
    const g = this.graph;
    const x = inputs ?? g.inputs.map((t) => syntheticInput(g.tensors[t]!));
    this.run(x);
    const times = this.steps.map(() => new Float64Array(runs));
    for (let r = 0; r < runs; r++) {
      const b = this.prepareRun(x, g.outputs);
      for (let i = 0; i < this.steps.length; i++) {
        const s = this.steps[i]!;
        const t0 = performance.now();
        if (!s.skip) s.kernel.run(s.params, b.stepInputs[i]!, b.stepOutputs[i]!);
        times[i]![r] = performance.now() - t0;
      }
    }
    return this.steps.map((s, i) => {
      const sorted = Array.from(times[i]!).sort((a, b) => a - b);
      const out = g.tensors[s.outputs[0]!];
      return {
        node: i, op: g.nodes[i]!.op, kernel: s.kernel.name, shape: out ? shapeToString(out.shape) : '',
        medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, minMs: sorted[0] ?? 0,
      };
    });
  }

  /** Stops the worker threads (threads > 1); the session cannot run afterwards. */
  dispose(): void {
    this.wasm?.dispose();
    this.steps.length = 0;
    this.bound.clear();
  }

  private prepareRun(inputs: TypedArray[], fetch: number[]): Bound {
    const g = this.graph;
    if (this.steps.length === 0 && g.nodes.length > 0) throw new ShapeError('the session was disposed');
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
    return b;
  }

  private collect(b: Bound, fetch: number[]): TypedArray[] {
    const g = this.graph;
    return fetch.map((t) => {
      const v = b.views[t];
      if (!v) throw new ShapeError(`tensor ${t} '${g.tensors[t]!.name}' is not computed by the graph`);
      return v.slice();
    });
  }

  private bind(fetch: number[]): Bound {
    const key = fetch.join(',');
    const cached = this.bound.get(key);
    if (cached) {
      // Growing a WebAssembly memory (another fetch set bound later) replaces its buffer: new views.
      if (this.wasm && cached.buffer !== this.wasm.kernels.memory.buffer) this.makeViews(cached);
      return cached;
    }
    const alias = new Map([...this.alias, ...inPlaceAliases(this.graph, fetch, this.alias)]);
    const plan = planArena(this.graph, fetch, alias);
    const base = this.wasm ? this.wasm.heap.alloc(plan.size + WASM_EXTRA_BYTES) : -1;
    const bound: Bound = { base, offsets: plan.offsets, buffer: new ArrayBuffer(0), views: [], stepInputs: [], stepOutputs: [] };
    if (!this.wasm) bound.buffer = new ArrayBuffer(plan.size);
    this.makeViews(bound);
    this.bound.set(key, bound);
    return bound;
  }

  private makeViews(b: Bound): void {
    const g = this.graph;
    if (this.wasm) b.buffer = this.wasm.kernels.memory.buffer;
    const base = Math.max(b.base, 0);
    const views = g.tensors.map((t, i): TypedArray | null => {
      if (t.data) return t.data;
      const off = b.offsets[i]!;
      return off < 0 ? null : view(t.dtype, b.buffer as ArrayBuffer, base + off, numElements(t.shape));
    });
    b.views = views;
    b.stepInputs = this.steps.map((s) => s.inputs.map((t) => (t < 0 ? null : views[t]!)));
    b.stepOutputs = this.steps.map((s) => s.outputs.map((t) => views[t]!));
  }
}

/** Deterministic pseudo-random input of a tensor's dtype and shape (values in the dtype's usual range). */
function syntheticInput(t: Tensor): TypedArray {
  const n = numElements(t.shape);
  let s = 12345;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 24;
  };
  if (t.dtype === 'float32') return Float32Array.from({ length: n }, () => (next() - 127.5) / 127.5);
  if (t.dtype === 'int8') return Int8Array.from({ length: n }, () => next() - 128);
  if (t.dtype === 'uint8') return Uint8Array.from({ length: n }, () => next());
  throw new UnsupportedError(`profile: give inputs for '${t.name}' (${t.dtype})`);
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
