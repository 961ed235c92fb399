import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs-core';
import type { Activation, Graph, Node, TypedArray } from '../../src/graph/index.js';
import { inferShapes } from '../../src/graph/shape.js';
import type { Engine, EngineSpec } from './engine.js';
import { graphOf } from './graph_source.js';
import { packageFile, packageVersion } from './shims.js';

type T = TF.Tensor;
type FusedAct = 'linear' | 'relu' | 'relu6';

/**
 * The TF.js WebAssembly backend (XNNPACK) executing our float graph with TF.js ops: one TF.js op per graph
 * node, weights converted to TF.js layouts once (same architecture, same weights, same input size).
 */
export async function openTfjsWasm(spec: EngineSpec): Promise<Engine> {
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs-core') as typeof TF;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(p: string): void; setThreadsCount(n: number): void };
  wasm.setThreadsCount(spec.threads);
  wasm.setWasmPaths(`${packageFile('@tensorflow/tfjs-backend-wasm', 'dist')}/`);
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  if (spec.threads > 1 && !threads) throw new Error('the TF.js WASM backend has no multithreading in Node');
  const g = inferShapes(await graphOf(spec.model));
  const consts = prepareConstants(tf, g);
  const inShape = g.tensors[g.inputs[0]!]!.shape;
  return {
    version: `@tensorflow/tfjs-backend-wasm ${packageVersion('@tensorflow/tfjs-backend-wasm')} (XNNPACK, ${simd ? 'simd' : 'no simd'}, 1 thread)`,
    async run(input: TypedArray) {
      const y = tf.tidy(() => execute(tf, g, consts, tf.tensor(input as Float32Array, inShape)));
      const out = (await y.data()) as Float32Array;
      y.dispose();
      return out;
    },
  };
}

/** Filters in TF.js layouts (HWIO, depthwise HW·in·mult), everything else as is; kept across runs. */
function prepareConstants(tf: typeof TF, g: Graph): Map<number, T> {
  const m = new Map<number, T>();
  const put = (i: number, t: T) => m.set(i, tf.keep(t));
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      const t = g.tensors[i];
      if (i < 0 || !t?.data || m.has(i)) continue;
      if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`tfjs-wasm bench: ${t.dtype} constant '${t.name}'`);
      const raw = tf.tensor(t.data as Float32Array, t.shape, t.dtype);
      if (n.op === 'CONV_2D' && i === n.inputs[1]) put(i, tf.transpose(raw, [1, 2, 3, 0]));
      else if (n.op === 'DEPTHWISE_CONV_2D' && i === n.inputs[1]) {
        const [, h, w, c] = t.shape as [number, number, number, number];
        const mult = n.attrs.depthMultiplier || 1;
        put(i, tf.reshape(raw, [h, w, c / mult, mult]));
      } else put(i, raw);
    }
  }
  return m;
}

function execute(tf: typeof TF, g: Graph, consts: Map<number, T>, input: T): T {
  const v = new Map<number, T>(consts);
  v.set(g.inputs[0]!, input);
  const get = (i: number) => v.get(i)!;
  for (const n of g.nodes) v.set(n.outputs[0]!, step(tf, g, n, get));
  return get(g.outputs[0]!);
}

function step(tf: typeof TF, g: Graph, n: Node, get: (i: number) => T): T {
  const [a, b, c] = n.inputs;
  const x = get(a!);
  const bias = c !== undefined && c >= 0 ? (get(c) as TF.Tensor1D) : undefined;
  const outShape = g.tensors[n.outputs[0]!]!.shape;
  switch (n.op) {
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D': {
      const at = n.attrs;
      const args = {
        x: x as TF.Tensor4D,
        filter: get(b!) as TF.Tensor4D,
        strides: [at.strideH, at.strideW] as [number, number],
        pad: at.padding,
        dilations: [at.dilationH, at.dilationW] as [number, number],
        bias,
      };
      const act = fusable(at.activation);
      const y = n.op === 'CONV_2D' ? tf.fused.conv2d({ ...args, activation: act ?? 'linear' }) : tf.fused.depthwiseConv2d({ ...args, activation: act ?? 'linear' });
      return act ? y : activate(tf, y, at.activation);
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const at = n.attrs;
      const pool = n.op === 'MAX_POOL_2D' ? tf.maxPool : tf.avgPool;
      return activate(tf, pool(x as TF.Tensor4D, [at.filterH, at.filterW], [at.strideH, at.strideW], at.padding), at.activation);
    }
    case 'MEAN':
      return tf.mean(x, [...(g.tensors[b!]!.data as Int32Array)], n.attrs.keepDims);
    case 'ADD':
      return activate(tf, tf.add(x, get(b!)), n.attrs.activation);
    case 'SUB':
      return activate(tf, tf.sub(x, get(b!)), n.attrs.activation);
    case 'MUL':
      return activate(tf, tf.mul(x, get(b!)), n.attrs.activation);
    case 'RELU':
      return tf.relu(x);
    case 'RELU6':
      return tf.relu6(x);
    case 'LOGISTIC':
      return tf.sigmoid(x);
    case 'HARD_SWISH':
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'SOFTMAX':
      return tf.softmax(n.attrs.beta === 1 ? x : tf.mul(x, n.attrs.beta));
    case 'RESHAPE':
    case 'SQUEEZE':
      return tf.reshape(x, outShape);
    case 'FULLY_CONNECTED': {
      const w = get(b!) as TF.Tensor2D;
      const x2 = tf.reshape(x, [-1, w.shape[1]]) as TF.Tensor2D;
      const act = fusable(n.attrs.activation);
      const y = tf.fused.matMul({ a: x2, b: w, transposeB: true, bias, activation: act ?? 'linear' });
      return tf.reshape(act ? y : activate(tf, y, n.attrs.activation), outShape);
    }
    case 'PAD': {
      const p = [...(g.tensors[b!]!.data as Int32Array)];
      return tf.pad(x, x.shape.map((_, i) => [p[2 * i]!, p[2 * i + 1]!] as [number, number]));
    }
    case 'CONCATENATION':
      return activate(tf, tf.concat(n.inputs.map(get), n.attrs.axis), n.attrs.activation);
    default:
      throw new Error(`tfjs-wasm bench: op ${n.op} not mapped`);
  }
}

function fusable(a: Activation): FusedAct | undefined {
  return a === 'none' ? 'linear' : a === 'relu' || a === 'relu6' ? a : undefined;
}

function activate(tf: typeof TF, y: T, a: Activation): T {
  switch (a) {
    case 'none':
      return y;
    case 'relu':
      return tf.relu(y);
    case 'relu6':
      return tf.relu6(y);
    case 'relu_n1_to_1':
      return tf.clipByValue(y, -1, 1);
    case 'tanh':
      return tf.tanh(y);
    default:
      throw new Error(`tfjs-wasm bench: activation ${a}`);
  }
}
