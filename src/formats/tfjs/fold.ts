import type { Graph } from '../../graph/graph.js';
import type { Activation, Node } from '../../graph/ops.js';
import type { Tensor } from '../../graph/tensor.js';

/**
 * Folds per-channel constant MUL / ADD (batch norm) into the convolution or fully connected node that
 * feeds them, then fuses a following RELU / RELU6 into conv, depthwise, fully connected and ADD nodes,
 * and drops the tensors no longer used. Only applies where the intermediate tensor has one consumer
 * and is not a graph output. `keep` lists tensors to preserve (remapped in place).
 */
export function foldAndFuse(g: Graph, keep: number[] = []): Graph {
  let changed = true;
  while (changed) {
    changed = false;
    const uses = useCounts(g, keep);
    const consumer = new Map<number, number>();
    g.nodes.forEach((n, i) => n.inputs.forEach((t) => t >= 0 && consumer.set(t, i)));
    for (let i = 0; i < g.nodes.length; i++) {
      const n = g.nodes[i];
      if (!n) continue;
      // Grow the node along its chain of single consumers first (conv -> mul -> add -> relu).
      for (;;) {
        const out = n.outputs[0];
        if (uses[out] !== 1 || !consumer.has(out)) break;
        const j = consumer.get(out)!;
        const next = g.nodes[j];
        if (!next || !(tryFoldAffine(g, n, next) || tryFuseActivation(n, next))) break;
        n.outputs = next.outputs;
        g.nodes[j] = undefined as unknown as Node;
        changed = true;
      }
    }
    g.nodes = g.nodes.filter((n) => n !== undefined);
  }
  return compact(g, keep);
}

function useCounts(g: Graph, keep: number[]): Int32Array {
  const uses = new Int32Array(g.tensors.length);
  for (const n of g.nodes) for (const t of n.inputs) if (t >= 0) uses[t]++;
  for (const t of g.outputs) uses[t] += 2;
  for (const t of keep) if (t >= 0) uses[t] += 2;
  return uses;
}

/** The per-output-channel constant of a MUL/ADD whose other operand is `x`, if it is one. */
function perChannelConst(g: Graph, node: Node, x: number, channels: number): Float32Array | undefined {
  if (node.inputs.length !== 2) return undefined;
  const other = node.inputs[0] === x ? node.inputs[1] : node.inputs[1] === x ? node.inputs[0] : -1;
  if (other < 0) return undefined;
  const c: Tensor = g.tensors[other];
  if (!(c.data instanceof Float32Array) || c.shape.slice(0, -1).some((d) => d !== 1)) return undefined;
  if (c.data.length === channels) return c.data;
  if (c.data.length === 1) return new Float32Array(channels).fill(c.data[0]);
  return undefined;
}

function tryFoldAffine(g: Graph, n: Node, next: Node): boolean {
  if (n.op !== 'CONV_2D' && n.op !== 'DEPTHWISE_CONV_2D' && n.op !== 'FULLY_CONNECTED') return false;
  if (n.attrs.activation !== 'none') return false;
  if (next.op !== 'MUL' && next.op !== 'ADD') return false;
  if (next.attrs.activation !== 'none') return false;
  const filter = g.tensors[n.inputs[1]];
  if (!(filter.data instanceof Float32Array)) return false;
  const channels = n.op === 'DEPTHWISE_CONV_2D' ? filter.shape[filter.shape.length - 1] : filter.shape[0];
  const k = perChannelConst(g, next, n.outputs[0], channels);
  if (!k) return false;
  const biasIndex = n.inputs[2] ?? -1;
  const bias = biasIndex >= 0 ? (g.tensors[biasIndex].data as Float32Array) : new Float32Array(channels);
  if (next.op === 'MUL') {
    const w = filter.data;
    if (n.op === 'DEPTHWISE_CONV_2D') for (let i = 0; i < w.length; i++) w[i] *= k[i % channels];
    else {
      const per = w.length / channels;
      for (let i = 0; i < w.length; i++) w[i] *= k[Math.floor(i / per)];
    }
    for (let c = 0; c < channels; c++) bias[c] *= k[c];
  } else {
    for (let c = 0; c < channels; c++) bias[c] += k[c];
  }
  if (biasIndex < 0) {
    g.tensors.push({ name: `${g.tensors[n.outputs[0]].name}/bias`, dtype: 'float32', shape: [channels], data: bias });
    n.inputs = [n.inputs[0], n.inputs[1], g.tensors.length - 1];
  }
  return true;
}

function tryFuseActivation(n: Node, next: Node): boolean {
  if (n.op !== 'CONV_2D' && n.op !== 'DEPTHWISE_CONV_2D' && n.op !== 'FULLY_CONNECTED' && n.op !== 'ADD') return false;
  if (n.attrs.activation !== 'none') return false;
  const act: Activation | undefined = next.op === 'RELU' ? 'relu' : next.op === 'RELU6' ? 'relu6' : undefined;
  if (!act) return false;
  n.attrs.activation = act;
  return true;
}

/** Drops tensors no node, input, output or `keep` entry refers to, renumbering the rest. */
function compact(g: Graph, keep: number[]): Graph {
  const used = new Uint8Array(g.tensors.length);
  for (const n of g.nodes) for (const t of [...n.inputs, ...n.outputs]) if (t >= 0) used[t] = 1;
  for (const t of [...g.inputs, ...g.outputs, ...keep]) if (t >= 0) used[t] = 1;
  const map = new Int32Array(g.tensors.length).fill(-1);
  const tensors: Tensor[] = [];
  g.tensors.forEach((t, i) => {
    if (used[i]) (map[i] = tensors.length), tensors.push(t);
  });
  const re = (t: number): number => (t < 0 ? t : map[t]);
  for (const n of g.nodes) (n.inputs = n.inputs.map(re)), (n.outputs = n.outputs.map(re));
  keep.forEach((t, i) => (keep[i] = re(t)));
  return { ...g, tensors, inputs: g.inputs.map(re), outputs: g.outputs.map(re) };
}
