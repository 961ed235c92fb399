import { UnsupportedError } from '../../errors.js';
import type { Activation, Graph, Node, Padding, Tensor } from '../../graph/index.js';
import { numElements } from '../../graph/index.js';
import { inferShapes } from '../../graph/shape.js';
import { ProtoWriter } from './proto.js';

/** ONNX opset the writer targets. */
export const ONNX_OPSET = 13;

const FLOAT = 1;
const INT64 = 7;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;
/** NHWC axis -> NCHW axis. */
const TO_NCHW_AXIS = [0, 2, 3, 1];

type Attr = { name: string; f: number } | { name: string; i: number } | { name: string; ints: number[] };

/**
 * Writes a float32 graph as an ONNX model (opset 13, IR version 7).
 *
 * The model keeps the graph's NHWC input and output layout; inside, rank-4 activations are NCHW (a Transpose
 * follows the input), filters are converted to OIHW (depthwise filters to grouped convolutions), and TFLite's
 * SAME padding becomes explicit pads. Supports the float ops MobileNets use: CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, ADD, SUB, MUL, RELU, RELU6, HARD_SWISH, LOGISTIC,
 * SOFTMAX, RESHAPE, SQUEEZE, PAD, CONCATENATION, with their fused activations.
 *
 * @throws UnsupportedError naming the node for a quantized tensor or an op without an ONNX mapping here.
 */
export function writeOnnx(graph: Graph): Uint8Array {
  const g = inferShapes(graph);
  const w = new OnnxGraphWriter(g);
  g.nodes.forEach((node, i) => w.node(node, i));
  return w.finish();
}

class OnnxGraphWriter {
  private readonly nodes: ProtoWriter[] = [];
  private readonly inits: ProtoWriter[] = [];
  private readonly names = new Map<number, string>();
  private readonly nhwcNames = new Map<number, string>();
  private readonly scalars = new Map<number, string>();
  private counter = 0;

  constructor(private readonly g: Graph) {
    for (const ti of g.inputs) {
      const t = this.tensor(ti);
      this.checkFloat(t, `graph input '${t.name}'`);
      const name = `input_${ti}`;
      if (t.shape.length === 4) {
        this.nhwcNames.set(ti, name);
        this.names.set(ti, this.emit('Transpose', [name], [{ name: 'perm', ints: [0, 3, 1, 2] }]));
      } else {
        this.names.set(ti, name);
      }
    }
  }

  node(node: Node, index: number): void {
    const where = `node ${index} (${node.op}${node.name ? ` '${node.name}'` : ''})`;
    for (const ti of [...node.inputs, ...node.outputs]) {
      if (ti >= 0) this.checkFloat(this.tensor(ti), where);
    }
    const [x, a1, a2] = node.inputs;
    const out = node.outputs[0]!;
    const outShape = this.tensor(out).shape;
    let y: string;
    switch (node.op) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D': {
        const xs = this.tensor(x!).shape;
        const f = this.tensor(a1!);
        const depthwise = node.op === 'DEPTHWISE_CONV_2D';
        const [kh, kw] = [f.shape[1]!, f.shape[2]!];
        const at = node.attrs;
        const pads = explicitPads(at.padding, xs, kh, kw, at.strideH, at.strideW, at.dilationH, at.dilationW);
        const weight = depthwise ? this.depthwiseFilter(f) : this.convFilter(f);
        const inputs = [this.nchw(x!), weight];
        if (a2 !== undefined && a2 >= 0) inputs.push(this.constant(a2));
        y = this.emit('Conv', inputs, [
          { name: 'kernel_shape', ints: [kh, kw] },
          { name: 'strides', ints: [at.strideH, at.strideW] },
          { name: 'dilations', ints: [at.dilationH, at.dilationW] },
          { name: 'pads', ints: pads },
          { name: 'group', i: depthwise ? xs[3]! : 1 },
        ]);
        y = this.activation(y, at.activation, where);
        break;
      }
      case 'AVERAGE_POOL_2D':
      case 'MAX_POOL_2D': {
        const xs = this.tensor(x!).shape;
        const at = node.attrs;
        const pads = explicitPads(at.padding, xs, at.filterH, at.filterW, at.strideH, at.strideW, 1, 1);
        const global = outShape[1] === 1 && outShape[2] === 1 && at.filterH === xs[1] && at.filterW === xs[2] && pads.every((p) => p === 0);
        if (global) {
          y = this.emit(node.op === 'MAX_POOL_2D' ? 'GlobalMaxPool' : 'GlobalAveragePool', [this.nchw(x!)]);
        } else {
          const attrs: Attr[] = [
            { name: 'kernel_shape', ints: [at.filterH, at.filterW] },
            { name: 'strides', ints: [at.strideH, at.strideW] },
            { name: 'pads', ints: pads },
          ];
          if (node.op === 'AVERAGE_POOL_2D') attrs.push({ name: 'count_include_pad', i: 0 });
          y = this.emit(node.op === 'MAX_POOL_2D' ? 'MaxPool' : 'AveragePool', [this.nchw(x!)], attrs);
        }
        y = this.activation(y, at.activation, where);
        break;
      }
      case 'MEAN': {
        const xs = this.tensor(x!).shape;
        const axes = [...this.constData(a1!, where)].map((v) => (Number(v) < 0 ? Number(v) + xs.length : Number(v)));
        const spatial = axes.length === 2 && axes.includes(1) && axes.includes(2);
        if (xs.length === 4 && (node.attrs.keepDims || spatial)) {
          y = this.emit('ReduceMean', [this.nchw(x!)], [
            { name: 'axes', ints: axes.map((a) => TO_NCHW_AXIS[a]!) },
            { name: 'keepdims', i: node.attrs.keepDims ? 1 : 0 },
          ]);
        } else {
          y = this.emit('ReduceMean', [this.nhwc(x!)], [
            { name: 'axes', ints: axes },
            { name: 'keepdims', i: node.attrs.keepDims ? 1 : 0 },
          ]);
          if (outShape.length === 4) y = this.emit('Transpose', [y], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
        }
        break;
      }
      case 'ADD':
      case 'SUB':
      case 'MUL': {
        const op = node.op === 'ADD' ? 'Add' : node.op === 'SUB' ? 'Sub' : 'Mul';
        y = this.emit(op, [this.operand(x!, outShape.length, where), this.operand(a1!, outShape.length, where)]);
        y = this.activation(y, node.attrs.activation, where);
        break;
      }
      case 'RELU':
        y = this.emit('Relu', [this.nchw(x!)]);
        break;
      case 'RELU6':
        y = this.clip(this.nchw(x!), 0, 6);
        break;
      case 'LOGISTIC':
        y = this.emit('Sigmoid', [this.nchw(x!)]);
        break;
      case 'HARD_SWISH': {
        const xi = this.nchw(x!);
        const hs = this.emit('HardSigmoid', [xi], [
          { name: 'alpha', f: 1 / 6 },
          { name: 'beta', f: 0.5 },
        ]);
        y = this.emit('Mul', [xi, hs]);
        break;
      }
      case 'SOFTMAX': {
        const xs = this.tensor(x!).shape;
        let xi = this.nchw(x!);
        if (node.attrs.beta !== 1) xi = this.emit('Mul', [xi, this.scalar(node.attrs.beta)]);
        y = this.emit('Softmax', [xi], [{ name: 'axis', i: xs.length === 4 ? 1 : -1 }]);
        break;
      }
      case 'RESHAPE':
      case 'SQUEEZE':
        y = this.reshape(x!, outShape);
        break;
      case 'FULLY_CONNECTED': {
        const xs = this.tensor(x!).shape;
        const wt = this.tensor(a1!);
        const inSize = wt.shape[1]!;
        const xi = xs.length === 2 ? this.nchw(x!) : this.emit('Reshape', [this.nhwc(x!), this.shapeConst([-1, inSize])]);
        const inputs = [xi, this.constant(a1!)];
        if (a2 !== undefined && a2 >= 0) inputs.push(this.constant(a2));
        y = this.emit('Gemm', inputs, [{ name: 'transB', i: 1 }]);
        y = this.activation(y, node.attrs.activation, where);
        if (outShape.length !== 2) {
          y = this.emit('Reshape', [y, this.shapeConst(outShape)]);
          if (outShape.length === 4) y = this.emit('Transpose', [y], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
        }
        break;
      }
      case 'PAD': {
        const xs = this.tensor(x!).shape;
        const p = [...this.constData(a1!, where)].map(Number);
        const rank = xs.length;
        const order = rank === 4 ? [0, 3, 1, 2] : [...Array(rank).keys()];
        const pads = [...order.map((a) => p[2 * a]!), ...order.map((a) => p[2 * a + 1]!)];
        y = this.emit('Pad', [this.nchw(x!), this.int64Const(pads, [pads.length])]);
        break;
      }
      case 'CONCATENATION': {
        const rank = outShape.length;
        let axis = node.attrs.axis < 0 ? node.attrs.axis + rank : node.attrs.axis;
        if (rank === 4) axis = TO_NCHW_AXIS[axis]!;
        y = this.emit('Concat', node.inputs.map((t) => this.operand(t, rank, where)), [{ name: 'axis', i: axis }]);
        y = this.activation(y, node.attrs.activation, where);
        break;
      }
      default:
        throw new UnsupportedError(`ONNX export: ${where}: op ${node.op} is not supported`);
    }
    this.names.set(out, y);
  }

  finish(): Uint8Array {
    const outputs = this.g.outputs.map((ti) => {
      const shape = this.tensor(ti).shape;
      const name = `output_${ti}`;
      const src = shape.length === 4 ? this.nhwc(ti) : this.name(ti);
      this.nodes.push(nodeProto('Identity', [src], [name], `n${this.counter++}`, []));
      return valueInfo(name, shape);
    });
    const graph = new ProtoWriter();
    for (const n of this.nodes) graph.message(1, n);
    graph.string(2, this.g.meta.name ?? 'mobilenet');
    for (const t of this.inits) graph.message(5, t);
    for (const ti of this.g.inputs) graph.message(11, valueInfo(this.nhwcNames.get(ti) ?? this.names.get(ti)!, this.tensor(ti).shape));
    for (const o of outputs) graph.message(12, o);
    const model = new ProtoWriter()
      .varint(1, 7)
      .string(2, 'mobilenet-ts')
      .string(3, '0.1')
      .message(7, graph)
      .message(8, new ProtoWriter().string(1, '').varint(2, ONNX_OPSET));
    return model.finish();
  }

  private tensor(i: number): Tensor {
    return this.g.tensors[i]!;
  }

  private checkFloat(t: Tensor, where: string): void {
    if (t.data && t.dtype === 'int32') return;
    if (t.dtype !== 'float32' || t.quant) {
      throw new UnsupportedError(`ONNX export: ${where}: tensor '${t.name}' is ${t.quant ? 'quantized ' : ''}${t.dtype}; only float32 graphs are supported`);
    }
  }

  private name(ti: number): string {
    const n = this.names.get(ti);
    if (n) return n;
    if (this.tensor(ti).data) return this.constant(ti);
    throw new UnsupportedError(`ONNX export: tensor ${ti} '${this.tensor(ti).name}' is used before it is computed`);
  }

  /** The tensor in the layout ONNX ops here expect (NCHW for rank 4). */
  private nchw(ti: number): string {
    return this.name(ti);
  }

  /** A rank-4 activation in NHWC (a Transpose, emitted once). */
  private nhwc(ti: number): string {
    if (this.tensor(ti).shape.length !== 4) return this.name(ti);
    let n = this.nhwcNames.get(ti);
    if (!n) {
      n = this.emit('Transpose', [this.name(ti)], [{ name: 'perm', ints: [0, 2, 3, 1] }]);
      this.nhwcNames.set(ti, n);
    }
    return n;
  }

  /** An operand of an elementwise op whose output has rank `rank`: constants are laid out to broadcast in NCHW. */
  private operand(ti: number, rank: number, where: string): string {
    const t = this.tensor(ti);
    if (!t.data) {
      if (rank === 4 && t.shape.length !== 4 && numElements(t.shape) !== 1) {
        throw new UnsupportedError(`ONNX export: ${where}: cannot broadcast activation '${t.name}' of rank ${t.shape.length} against rank 4`);
      }
      return this.name(ti);
    }
    if (rank !== 4) return this.constant(ti);
    const shape = [...Array(4 - Math.min(4, t.shape.length)).fill(1), ...t.shape];
    const [n, h, w, c] = shape as [number, number, number, number];
    const src = t.data as Float32Array;
    const dst = new Float32Array(src.length);
    for (let a = 0; a < n; a++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let k = 0; k < c; k++) dst[((a * c + k) * h + y) * w + x] = src[((a * h + y) * w + x) * c + k]!;
    return this.init(`${t.name}_nchw_${ti}`, [n, c, h, w], FLOAT, bytesOf(dst));
  }

  private reshape(x: number, outShape: number[]): string {
    let y = this.emit('Reshape', [this.nhwc(x), this.shapeConst(outShape)]);
    if (outShape.length === 4) y = this.emit('Transpose', [y], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
    return y;
  }

  private activation(x: string, a: Activation, where: string): string {
    switch (a) {
      case 'none':
        return x;
      case 'relu':
        return this.emit('Relu', [x]);
      case 'relu6':
        return this.clip(x, 0, 6);
      case 'relu_n1_to_1':
        return this.clip(x, -1, 1);
      case 'tanh':
        return this.emit('Tanh', [x]);
      default:
        throw new UnsupportedError(`ONNX export: ${where}: fused activation ${a} is not supported`);
    }
  }

  private clip(x: string, lo: number, hi: number): string {
    return this.emit('Clip', [x, this.scalar(lo), this.scalar(hi)]);
  }

  private scalar(v: number): string {
    let n = this.scalars.get(v);
    if (!n) {
      n = this.init(`scalar_${this.scalars.size}`, [], FLOAT, bytesOf(Float32Array.of(v)));
      this.scalars.set(v, n);
    }
    return n;
  }

  private constant(ti: number): string {
    const have = this.names.get(ti);
    if (have) return have;
    const t = this.tensor(ti);
    const data = t.dtype === 'int32' ? BigInt64Array.from(t.data as Int32Array, (v) => BigInt(v)) : t.data!;
    const name = this.init(`${t.name}_${ti}`, t.shape, t.dtype === 'int32' ? INT64 : FLOAT, bytesOf(data));
    this.names.set(ti, name);
    return name;
  }

  private constData(ti: number, where: string): Iterable<number | bigint> {
    const d = this.tensor(ti).data;
    if (!d) throw new UnsupportedError(`ONNX export: ${where}: input '${this.tensor(ti).name}' must be a constant`);
    return d;
  }

  /** OHWI -> OIHW. */
  private convFilter(f: Tensor): string {
    const [o, h, w, i] = f.shape as [number, number, number, number];
    const src = f.data as Float32Array;
    const dst = new Float32Array(src.length);
    for (let a = 0; a < o; a++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let c = 0; c < i; c++) dst[((a * i + c) * h + y) * w + x] = src[((a * h + y) * w + x) * i + c]!;
    return this.init(`${f.name}_oihw_${this.counter++}`, [o, i, h, w], FLOAT, bytesOf(dst));
  }

  /** 1HWC -> [C, 1, H, W] (a grouped convolution with one input channel per group). */
  private depthwiseFilter(f: Tensor): string {
    const [, h, w, c] = f.shape as [number, number, number, number];
    const src = f.data as Float32Array;
    const dst = new Float32Array(src.length);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) dst[(k * h + y) * w + x] = src[(y * w + x) * c + k]!;
    return this.init(`${f.name}_c1hw_${this.counter++}`, [c, 1, h, w], FLOAT, bytesOf(dst));
  }

  private shapeConst(shape: number[]): string {
    return this.int64Const(shape, [shape.length]);
  }

  private int64Const(values: number[], dims: number[]): string {
    return this.init(`const_${this.counter++}`, dims, INT64, bytesOf(BigInt64Array.from(values, (v) => BigInt(v))));
  }

  private init(name: string, dims: number[], type: number, raw: Uint8Array): string {
    const t = new ProtoWriter();
    for (const d of dims) t.varint(1, d);
    t.varint(2, type).string(8, name).bytes(9, raw);
    this.inits.push(t);
    return name;
  }

  private emit(op: string, inputs: string[], attrs: Attr[] = []): string {
    const id = this.counter++;
    const out = `${op.toLowerCase()}_${id}`;
    this.nodes.push(nodeProto(op, inputs, [out], `n${id}`, attrs));
    return out;
  }
}

function nodeProto(op: string, inputs: string[], outputs: string[], name: string, attrs: Attr[]): ProtoWriter {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, name).string(4, op);
  for (const a of attrs) {
    const p = new ProtoWriter().string(1, a.name);
    if ('f' in a) p.float(2, a.f).varint(20, ATTR_FLOAT);
    else if ('i' in a) p.varint(3, a.i).varint(20, ATTR_INT);
    else {
      for (const v of a.ints) p.varint(8, v);
      p.varint(20, ATTR_INTS);
    }
    n.message(5, p);
  }
  return n;
}

function valueInfo(name: string, shape: number[]): ProtoWriter {
  const dims = new ProtoWriter();
  for (const d of shape) dims.message(1, new ProtoWriter().varint(1, d));
  const tensorType = new ProtoWriter().varint(1, FLOAT).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/** ONNX pads [top, left, bottom, right] for TFLite padding on an NHWC input shape. */
function explicitPads(padding: Padding, xs: number[], kh: number, kw: number, sh: number, sw: number, dh: number, dw: number): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const along = (size: number, k: number, s: number, d: number): [number, number] => {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [t, b] = along(xs[1]!, kh, sh, dh);
  const [l, r] = along(xs[2]!, kw, sw, dw);
  return [t, l, b, r];
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}
