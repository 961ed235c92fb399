import { ShapeError } from '../errors.js';
import type { Graph } from './graph.js';
import type { Node, Padding } from './ops.js';
import type { Tensor } from './tensor.js';
import { numElements, shapeToString } from './tensor.js';

/** Output size of a window op along one axis (TFLite's ComputeOutSize). */
export function windowOutSize(padding: Padding, inSize: number, filter: number, stride: number, dilation = 1): number {
  const eff = (filter - 1) * dilation + 1;
  return padding === 'same' ? Math.floor((inSize + stride - 1) / stride) : Math.floor((inSize + stride - eff) / stride);
}

/** Broadcast shape of two shapes (numpy rules), or undefined when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

function label(node: Node, index: number): string {
  return `node ${index} (${node.op}${node.name ? ` '${node.name}'` : ''})`;
}

/**
 * Infers the shape of every activation tensor from the graph inputs, node by node.
 * Returns a copy of the graph whose tensors carry the inferred shapes; throws ShapeError naming the node
 * when shapes disagree (with each other or with a shape the graph already declares). The graph is not modified.
 */
export function inferShapes(graph: Graph): Graph {
  const tensors: Tensor[] = graph.tensors.map((t) => ({ ...t, shape: [...t.shape] }));
  const known = new Set<number>();
  tensors.forEach((t, i) => {
    if (t.data) known.add(i);
  });
  for (const i of graph.inputs) {
    const t = tensors[i];
    if (!t) throw new ShapeError(`graph input ${i} is not a tensor`);
    if (t.shape.some((d) => !(d >= 0))) throw new ShapeError(`graph input '${t.name}' has unknown shape ${shapeToString(t.shape)}`);
    known.add(i);
  }
  graph.nodes.forEach((node, index) => {
    const where = label(node, index);
    const shapeOf = (k: number): number[] => {
      const ti = node.inputs[k] ?? -1;
      const t = tensors[ti];
      if (!t) throw new ShapeError(`${where}: input ${k} (tensor ${ti}) does not exist`);
      if (!known.has(ti)) throw new ShapeError(`${where}: input ${k} '${t.name}' is used before it is computed`);
      return t.shape;
    };
    const dataOf = (k: number): number[] | undefined => {
      const t = tensors[node.inputs[k] ?? -1];
      return t?.data ? Array.from(t.data as ArrayLike<number>, Number) : undefined;
    };
    const out = inferNode(node, where, shapeOf, dataOf);
    const oi = node.outputs[0] ?? -1;
    const ot = tensors[oi];
    if (!ot) throw new ShapeError(`${where}: output tensor ${oi} does not exist`);
    const declared = ot.shape;
    const declaredKnown = declared.length > 0 && declared.every((d) => d >= 0);
    if (declaredKnown && !sameShape(declared, out)) {
      throw new ShapeError(
        `${where}: output '${ot.name}' is declared ${shapeToString(declared)} but the op gives ${shapeToString(out)}`,
      );
    }
    ot.shape = out;
    known.add(oi);
  });
  return { ...graph, tensors };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function rank(where: string, what: string, s: number[], r: number): void {
  if (s.length !== r) throw new ShapeError(`${where}: ${what} must have rank ${r}, got ${shapeToString(s)}`);
}

function inferNode(
  node: Node,
  where: string,
  shapeOf: (k: number) => number[],
  dataOf: (k: number) => number[] | undefined,
): number[] {
  switch (node.op) {
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D': {
      const x = shapeOf(0);
      const w = shapeOf(1);
      rank(where, 'input', x, 4);
      rank(where, 'filter', w, 4);
      const a = node.attrs;
      if (!(a.strideH >= 1 && a.strideW >= 1 && a.dilationH >= 1 && a.dilationW >= 1)) {
        throw new ShapeError(`${where}: strides and dilations must be ≥ 1`);
      }
      let outC: number;
      if (node.op === 'CONV_2D') {
        if (w[3] !== x[3]) {
          throw new ShapeError(`${where}: input has ${x[3]} channels but the filter ${shapeToString(w)} expects ${w[3]}`);
        }
        outC = w[0]!;
      } else {
        const m = node.attrs.depthMultiplier || 1;
        outC = w[3]!;
        if (w[0] !== 1 || outC !== x[3]! * m) {
          throw new ShapeError(
            `${where}: depthwise filter ${shapeToString(w)} does not fit ${x[3]} input channels × multiplier ${m}`,
          );
        }
      }
      if (node.inputs.length > 2 && (node.inputs[2] ?? -1) >= 0) {
        const b = shapeOf(2);
        if (numElements(b) !== outC) throw new ShapeError(`${where}: bias ${shapeToString(b)} must have ${outC} elements`);
      }
      const oh = windowOutSize(a.padding, x[1]!, w[1]!, a.strideH, a.dilationH);
      const ow = windowOutSize(a.padding, x[2]!, w[2]!, a.strideW, a.dilationW);
      if (oh < 1 || ow < 1) throw new ShapeError(`${where}: filter ${shapeToString(w)} is larger than input ${shapeToString(x)}`);
      return [x[0]!, oh, ow, outC];
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const x = shapeOf(0);
      rank(where, 'input', x, 4);
      const a = node.attrs;
      if (!(a.strideH >= 1 && a.strideW >= 1 && a.filterH >= 1 && a.filterW >= 1)) {
        throw new ShapeError(`${where}: filter and strides must be ≥ 1`);
      }
      const oh = windowOutSize(a.padding, x[1]!, a.filterH, a.strideH);
      const ow = windowOutSize(a.padding, x[2]!, a.filterW, a.strideW);
      if (oh < 1 || ow < 1) throw new ShapeError(`${where}: pool window larger than input ${shapeToString(x)}`);
      return [x[0]!, oh, ow, x[3]!];
    }
    case 'FULLY_CONNECTED': {
      const x = shapeOf(0);
      const w = shapeOf(1);
      rank(where, 'weights', w, 2);
      const inDim = w[1]!;
      const n = numElements(x);
      if (inDim === 0 || n % inDim !== 0) {
        throw new ShapeError(`${where}: input ${shapeToString(x)} is not a multiple of the weights' ${inDim} inputs`);
      }
      if (node.inputs.length > 2 && (node.inputs[2] ?? -1) >= 0) {
        const b = shapeOf(2);
        if (numElements(b) !== w[0]) throw new ShapeError(`${where}: bias ${shapeToString(b)} must have ${w[0]} elements`);
      }
      if (node.attrs.keepNumDims) {
        if (x[x.length - 1] !== inDim) throw new ShapeError(`${where}: last input dim must be ${inDim}`);
        return [...x.slice(0, -1), w[0]!];
      }
      return [n / inDim, w[0]!];
    }
    case 'MEAN': {
      const x = shapeOf(0);
      const axes = dataOf(1);
      if (!axes) throw new ShapeError(`${where}: axes must be a constant`);
      const set = new Set(axes.map((a) => (a < 0 ? a + x.length : a)));
      for (const a of set) if (a < 0 || a >= x.length) throw new ShapeError(`${where}: axis ${a} out of range for ${shapeToString(x)}`);
      const out: number[] = [];
      x.forEach((d, i) => {
        if (!set.has(i)) out.push(d);
        else if (node.attrs.keepDims) out.push(1);
      });
      return out;
    }
    case 'ADD':
    case 'SUB':
    case 'MUL': {
      const a = shapeOf(0);
      const b = shapeOf(1);
      const out = broadcastShapes(a, b);
      if (!out) throw new ShapeError(`${where}: shapes ${shapeToString(a)} and ${shapeToString(b)} do not broadcast`);
      return out;
    }
    case 'RELU':
    case 'RELU6':
    case 'HARD_SWISH':
    case 'LOGISTIC':
    case 'SOFTMAX':
    case 'QUANTIZE':
    case 'DEQUANTIZE':
      return [...shapeOf(0)];
    case 'RESHAPE': {
      const x = shapeOf(0);
      const fromInput = node.inputs.length > 1 && (node.inputs[1] ?? -1) >= 0 ? dataOf(1) : undefined;
      const target = fromInput ?? node.attrs.newShape;
      if (!target) throw new ShapeError(`${where}: no target shape`);
      const n = numElements(x);
      const free = target.filter((d) => d === -1).length;
      if (free > 1) throw new ShapeError(`${where}: more than one -1 in ${shapeToString(target)}`);
      const fixed = target.reduce((p, d) => (d === -1 ? p : p * d), 1);
      const out = target.map((d) => (d === -1 ? (fixed === 0 ? 0 : n / fixed) : d));
      if (out.some((d) => !Number.isInteger(d) || d < 0) || numElements(out) !== n) {
        throw new ShapeError(`${where}: cannot reshape ${shapeToString(x)} to ${shapeToString(target)}`);
      }
      return out;
    }
    case 'SQUEEZE': {
      const x = shapeOf(0);
      const axes = node.attrs.axes.map((a) => (a < 0 ? a + x.length : a));
      for (const a of axes) {
        if (a < 0 || a >= x.length || x[a] !== 1) throw new ShapeError(`${where}: cannot squeeze axis ${a} of ${shapeToString(x)}`);
      }
      return axes.length === 0 ? x.filter((d) => d !== 1) : x.filter((_, i) => !axes.includes(i));
    }
    case 'PAD': {
      const x = shapeOf(0);
      const p = dataOf(1);
      if (!p || p.length !== 2 * x.length) throw new ShapeError(`${where}: paddings must be a constant [${x.length}, 2]`);
      if (p.some((v) => v < 0)) throw new ShapeError(`${where}: negative padding`);
      return x.map((d, i) => d + p[2 * i]! + p[2 * i + 1]!);
    }
    case 'CONCATENATION': {
      const first = shapeOf(0);
      const axis = node.attrs.axis < 0 ? node.attrs.axis + first.length : node.attrs.axis;
      if (axis < 0 || axis >= first.length) throw new ShapeError(`${where}: axis ${node.attrs.axis} out of range`);
      const out = [...first];
      for (let k = 1; k < node.inputs.length; k++) {
        const s = shapeOf(k);
        if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) {
          throw new ShapeError(`${where}: input ${k} ${shapeToString(s)} does not match ${shapeToString(first)}`);
        }
        out[axis]! += s[axis]!;
      }
      return out;
    }
  }
}
