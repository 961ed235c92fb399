// Shared harness of the WASM kernel tests: both builds, a bump arena in linear memory, single-node graphs run
// through the reference kernels of src/kernels (the spec every variant is checked against).
import { setFlagsFromString } from 'node:v8';
import type { Activation, DType, Graph, Node, Tensor, TypedArray } from '../../src/graph/index.js';
import { allocate, numElements } from '../../src/graph/index.js';
import { kernelByName } from '../../src/kernels/registry.js';
import { loadWasmKernelsSync, relaxedSimdSupported, type WasmKernels } from '../../src/kernels/wasm/module.js';
import { WASM_EXTRA_BYTES } from '../../src/kernels/wasm/exports.js';

// Node 20 ships relaxed SIMD behind a flag; setting it before compiling enables it.
if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');

/** Both builds of the kernels, each on its own memory. */
export function flavors(): WasmKernels[] {
  const out = [loadWasmKernelsSync({ flavor: 'simd128', initialPages: 256 })];
  if (relaxedSimdSupported()) out.push(loadWasmKernelsSync({ flavor: 'relaxed', initialPages: 256 }));
  return out;
}

/** Deterministic PRNG (mulberry32). */
export { mulberry32 as rng } from '../helpers/random.js';

/** Integer in [lo, hi]. */
export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Bump allocator over a kernel module's memory; every block is followed by WASM_EXTRA_BYTES of garbage. */
export class Arena {
  private top: number;
  constructor(readonly k: WasmKernels, private readonly r: () => number) {
    this.top = k.heapBase;
  }
  /** 16-byte aligned block of `bytes`, garbage-filled, with garbage slack after it. */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = (p + bytes + WASM_EXTRA_BYTES + 15) & ~15;
    const need = this.top - this.k.memory.buffer.byteLength;
    if (need > 0) this.k.memory.grow(Math.ceil(need / 65536));
    const u8 = new Uint8Array(this.k.memory.buffer, p, this.top - p);
    for (let i = 0; i < u8.length; i++) u8[i] = (this.r() * 256) | 0;
    return p;
  }
  /** Copies an array in; returns its address. */
  put(a: TypedArray): number {
    const p = this.alloc(a.byteLength);
    new Uint8Array(this.k.memory.buffer, p, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return p;
  }
  /** A view of n elements of dtype at p. */
  view(dtype: DType, p: number, n: number): TypedArray {
    const u8 = new Uint8Array(this.k.memory.buffer, p, n * (dtype === 'float32' || dtype === 'int32' ? 4 : 1));
    const copy = u8.slice();
    return dtype === 'float32' ? new Float32Array(copy.buffer) : dtype === 'int32' ? new Int32Array(copy.buffer)
      : dtype === 'int8' ? new Int8Array(copy.buffer) : copy;
  }
  /** Restarts allocation at the heap base. */
  reset(): void {
    this.top = this.k.heapBase;
  }
}

/** Random array of a dtype: integers over the whole range, floats in [-1, 1). */
export function randomArray(r: () => number, dtype: DType, n: number): TypedArray {
  const a = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    (a as Float32Array)[i] = dtype === 'float32' ? r() * 2 - 1 : dtype === 'uint8' ? randInt(r, 0, 255)
      : dtype === 'int8' ? randInt(r, -128, 127) : randInt(r, -5000, 5000);
  }
  return a;
}

/** A tensor; per-channel quantization when `scales` has several entries. */
export function tensor(name: string, dtype: DType, shape: number[], scales?: number[], zps?: number[], axis = 0,
  data?: TypedArray): Tensor {
  const t: Tensor = { name, dtype, shape };
  if (scales) t.quant = { scale: scales, zeroPoint: zps ?? scales.map(() => 0), axis };
  if (data) t.data = data;
  return t;
}

/** Graph of one node whose tensors are `tensors` in order (inputs by index in node). */
export function oneNodeGraph(tensors: Tensor[], node: Node): Graph {
  return { tensors, nodes: [node], inputs: [0], outputs: node.outputs, meta: { format: 'test' } };
}

/** Runs the named reference kernel on the graph's only node; inputs for non-constant tensors. */
export function runReference(name: string, g: Graph, inputs: Record<number, TypedArray>): TypedArray {
  const k = kernelByName(name);
  if (!k) throw new Error(`no reference kernel ${name}`);
  const node = g.nodes[0]!;
  if (!k.supports(node, g)) throw new Error(`${name} does not support the test node`);
  const p = k.prepare(node, g);
  const ins = node.inputs.map((i) => (i < 0 ? null : inputs[i] ?? g.tensors[i]!.data ?? null));
  const y = g.tensors[node.outputs[0]!]!;
  const out = allocate(y.dtype, numElements(y.shape));
  k.run(p, ins, [out]);
  return out;
}

/** Index and values of the first difference, or null. */
export function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `at ${i}: ${a[i]} vs ${b[i]}`;
  return null;
}

/** Index and values of the first element that is not the same value (Object.is: NaN matches NaN, -0 does not
 * match 0), or null. */
export function firstValueDiff(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `at ${i}: ${show(a[i]!)} vs ${show(b[i]!)}`;
  return null;
}

/** Largest |a - b| / (1 + |b|). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return m;
}

/** Random fused activation among those the kernels clamp. */
export function randomActivation(r: () => number): Activation {
  return (['none', 'relu', 'relu6'] as const)[randInt(r, 0, 2)]!;
}
