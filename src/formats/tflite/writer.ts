/** Writer of graph IR graphs as `.tflite` files (FlatBuffers, schema version 3, identifier TFL3). */
import { Builder } from 'flatbuffers';
import { ModelFormatError, UnsupportedError } from '../../errors.js';
import type { DType } from '../../graph/dtype.js';
import type { Graph } from '../../graph/graph.js';
import type { Node, OpName } from '../../graph/ops.js';
import type { Tensor } from '../../graph/tensor.js';
import { validateGraph } from '../../graph/validate.js';
import { alignedBytes, f32Vector, i32Vector, i64Vector, offsetVector, slots } from './fb_write.js';
import { writeMetadata, type TfliteMetadataInput } from './metadata_write.js';
import { opVersion, writeOptions } from './options_write.js';
import { F, SUPPORTED_OPS, TENSOR_TYPE } from './schema.js';

/** Options of `writeTflite`. */
export interface WriteTfliteOptions {
  /** Model.description (the converter's note); default `graph.meta.extra.converter`, else "mobilenet-ts". */
  description?: string;
  /**
   * TFLite metadata (name, normalisation, labels) written as a `TFLITE_METADATA` buffer, with the labels
   * in a ZIP archive appended to the file. Default: taken from `graph.meta` when it has any of these.
   */
  metadata?: TfliteMetadataInput;
}

const TYPE_OF: Record<DType, number> = {
  float32: TENSOR_TYPE.FLOAT32,
  int32: TENSOR_TYPE.INT32,
  uint8: TENSOR_TYPE.UINT8,
  int64: TENSOR_TYPE.INT64,
  bool: TENSOR_TYPE.BOOL,
  int16: TENSOR_TYPE.INT16,
  int8: TENSOR_TYPE.INT8,
};

const CODE_OF = new Map<OpName, number>([...SUPPORTED_OPS].map(([code, op]) => [op, code]));

/** deprecated_builtin_code is an int8: codes past 127 are stored as PLACEHOLDER_FOR_GREATER_OP_CODES. */
const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** Buffer data is aligned as TFLite's converter aligns it, so runtimes can map it in place. */
const BUFFER_ALIGN = 16;

/**
 * Serialises a graph as a TFLite model: one subgraph, one buffer per constant (16-byte aligned), the
 * builtin options of each op, operator codes with their versions, and metadata (see `WriteTfliteOptions`).
 * `readTflite` reads the result back into an equal graph, except that quantization scales become
 * float32 and a convolution without a bias gets an explicit zero bias (appended after the other tensors).
 *
 * @throws ModelFormatError when the graph is not valid (see `validateGraph`).
 * @throws UnsupportedError for a quantized convolution without bias nor quantization parameters to make one.
 */
export function writeTflite(input: Graph, options: WriteTfliteOptions = {}): Uint8Array {
  validateGraph(input);
  const graph = withConvBiases(input);
  const constantBytes = graph.tensors.reduce((s, t) => s + (t.data ? t.data.byteLength + BUFFER_ALIGN : 0), 0);
  const b = new Builder(constantBytes + 64 * 1024);

  // Buffers: 0 is the empty sentinel every activation points to, then one per constant, then metadata.
  const bufferData: (Uint8Array | undefined)[] = [undefined];
  const tensorBuffer = graph.tensors.map((t) => {
    if (!t.data) return 0;
    bufferData.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    return bufferData.length - 1;
  });
  const metadataEntries: [string, number][] = [];
  const md = options.metadata ?? metadataFromMeta(graph);
  let zip: Uint8Array | undefined;
  if (md) {
    const written = writeMetadata(md);
    bufferData.push(written.buffer);
    metadataEntries.push(['TFLITE_METADATA', bufferData.length - 1]);
    zip = written.zip;
  }
  const minRuntime = graph.meta.extra?.minRuntimeVersion;
  if (minRuntime) {
    const text = new Uint8Array(Math.max(16, minRuntime.length));
    text.set(new TextEncoder().encode(minRuntime));
    bufferData.push(text);
    metadataEntries.push(['min_runtime_version', bufferData.length - 1]);
  }

  // Children before parents: FlatBuffers are built back to front. Large constant data goes first.
  const bufferTables = bufferData.map((data) => {
    const dataOff = data && data.length > 0 ? alignedBytes(b, data, BUFFER_ALIGN) : 0;
    b.startObject(slots(F.Buffer));
    if (dataOff) b.addFieldOffset(F.Buffer.data, dataOff, 0);
    return b.endObject();
  });
  const buffers = offsetVector(b, bufferTables);

  const tensors = offsetVector(b, graph.tensors.map((t, i) => writeTensor(b, t, tensorBuffer[i]!)));

  const opcodeIndex = new Map<string, number>();
  const opcodes: { code: number; version: number }[] = [];
  const operators = graph.nodes.map((node) => {
    const code = CODE_OF.get(node.op);
    if (code === undefined) throw new ModelFormatError(`tflite writer: op ${node.op} has no TFLite builtin code`);
    const version = opVersion(node, graph);
    const key = `${code}/${version}`;
    let index = opcodeIndex.get(key);
    if (index === undefined) {
      index = opcodes.length;
      opcodes.push({ code, version });
      opcodeIndex.set(key, index);
    }
    const opts = writeOptions(b, node);
    const inputs = i32Vector(b, node.inputs);
    const outputs = i32Vector(b, node.outputs);
    const f = F.Operator;
    b.startObject(slots(f));
    b.addFieldInt32(f.opcode_index, index, 0);
    b.addFieldOffset(f.inputs, inputs, 0);
    b.addFieldOffset(f.outputs, outputs, 0);
    if (opts.type !== 0) {
      b.addFieldInt8(f.builtin_options_type, opts.type, 0);
      b.addFieldOffset(f.builtin_options, opts.offset, 0);
    }
    return b.endObject();
  });

  const sgName = graph.meta.extra?.subgraph;
  const sgNameOff = sgName ? b.createString(sgName) : 0;
  const sgInputs = i32Vector(b, graph.inputs);
  const sgOutputs = i32Vector(b, graph.outputs);
  const sgOperators = offsetVector(b, operators);
  const s = F.SubGraph;
  b.startObject(slots(s));
  b.addFieldOffset(s.tensors, tensors, 0);
  b.addFieldOffset(s.inputs, sgInputs, 0);
  b.addFieldOffset(s.outputs, sgOutputs, 0);
  b.addFieldOffset(s.operators, sgOperators, 0);
  if (sgNameOff) b.addFieldOffset(s.name, sgNameOff, 0);
  const subgraphs = offsetVector(b, [b.endObject()]);

  const codes = offsetVector(
    b,
    opcodes.map(({ code, version }) => {
      const f = F.OperatorCode;
      b.startObject(slots(f));
      b.addFieldInt8(f.deprecated_builtin_code, Math.min(code, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
      b.addFieldInt32(f.version, version, 1);
      b.addFieldInt32(f.builtin_code, code, 0);
      return b.endObject();
    }),
  );

  const metadata = offsetVector(
    b,
    metadataEntries.map(([name, buffer]) => {
      const nameOff = b.createString(name);
      b.startObject(slots(F.Metadata));
      b.addFieldOffset(F.Metadata.name, nameOff, 0);
      b.addFieldInt32(F.Metadata.buffer, buffer, 0);
      return b.endObject();
    }),
  );
  const description = b.createString(options.description ?? graph.meta.extra?.converter ?? 'mobilenet-ts');

  const m = F.Model;
  b.startObject(slots(m));
  b.addFieldInt32(m.version, 3, 0);
  b.addFieldOffset(m.operator_codes, codes, 0);
  b.addFieldOffset(m.subgraphs, subgraphs, 0);
  b.addFieldOffset(m.description, description, 0);
  b.addFieldOffset(m.buffers, buffers, 0);
  if (metadataEntries.length > 0) b.addFieldOffset(m.metadata, metadata, 0);
  b.finish(b.endObject(), 'TFL3');

  const model = b.asUint8Array();
  if (!zip) return model.slice();
  const file = new Uint8Array(model.length + zip.length);
  file.set(model);
  file.set(zip, model.length);
  return file;
}

/**
 * The graph with a zero bias given to every CONV_2D and DEPTHWISE_CONV_2D without one: TFLite's kernels
 * require the bias (2.9 refuses a float conv without it and crashes on a depthwise one). The bias is
 * float32 for float inputs, int32 (int64 for int16 inputs) scaled input scale × filter scale otherwise.
 */
function withConvBiases(graph: Graph): Graph {
  const missing = graph.nodes.filter((n) => (n.op === 'CONV_2D' || n.op === 'DEPTHWISE_CONV_2D') && (n.inputs[2] ?? -1) === -1);
  if (missing.length === 0) return graph;
  const tensors = [...graph.tensors];
  const nodes = graph.nodes.map((node) => {
    if (!missing.includes(node)) return node;
    const x = graph.tensors[node.inputs[0]!]!;
    const w = graph.tensors[node.inputs[1]!]!;
    const channels = node.op === 'CONV_2D' ? w.shape[0]! : w.shape[3]!;
    const name = `${graph.tensors[node.outputs[0]!]!.name}/zero_bias`;
    let bias: Tensor;
    if (x.dtype === 'float32') {
      bias = { name, dtype: 'float32', shape: [channels], data: new Float32Array(channels) };
    } else {
      if (!x.quant || !w.quant) {
        throw new UnsupportedError(`tflite writer: ${node.op} '${name}' has no bias and ${x.quant ? 'its filter' : 'its input'} no quantization to give it one`);
      }
      const xs = x.quant.scale[0]!;
      const ws = w.quant.scale;
      const scale = Array.from({ length: channels }, (_, c) => Math.fround(xs * ws[ws.length === 1 ? 0 : c]!));
      const quant = { scale: ws.length === 1 ? [scale[0]!] : scale, zeroPoint: ws.map(() => 0), axis: 0 };
      bias =
        x.dtype === 'int16'
          ? { name, dtype: 'int64', shape: [channels], data: new BigInt64Array(channels), quant }
          : { name, dtype: 'int32', shape: [channels], data: new Int32Array(channels), quant };
    }
    tensors.push(bias);
    return { ...node, inputs: [node.inputs[0]!, node.inputs[1]!, tensors.length - 1] } as Node;
  });
  return { ...graph, tensors, nodes };
}

function writeTensor(b: Builder, t: Tensor, buffer: number): number {
  const name = b.createString(t.name);
  const shape = i32Vector(b, t.shape);
  let quant = 0;
  if (t.quant) {
    const q = F.QuantizationParameters;
    const scale = f32Vector(b, t.quant.scale);
    const zeroPoint = i64Vector(b, t.quant.zeroPoint);
    b.startObject(slots(q));
    b.addFieldOffset(q.scale, scale, 0);
    b.addFieldOffset(q.zero_point, zeroPoint, 0);
    b.addFieldInt32(q.quantized_dimension, t.quant.scale.length > 1 ? t.quant.axis : 0, 0);
    quant = b.endObject();
  }
  const f = F.Tensor;
  b.startObject(slots(f));
  b.addFieldOffset(f.shape, shape, 0);
  b.addFieldInt8(f.type, TYPE_OF[t.dtype], 0);
  b.addFieldInt32(f.buffer, buffer, 0);
  b.addFieldOffset(f.name, name, 0);
  if (quant) b.addFieldOffset(f.quantization, quant, 0);
  return b.endObject();
}

/** Metadata to write for a graph read from elsewhere: its name, description, normalisation and labels. */
function metadataFromMeta(graph: Graph): TfliteMetadataInput | undefined {
  const meta = graph.meta;
  const extra = meta.extra ?? {};
  const ownDescription = meta.description !== undefined && meta.description !== extra.converter;
  if (!meta.name && !ownDescription && !meta.normalization && !meta.labels) return undefined;
  const md: TfliteMetadataInput = {};
  if (meta.name) md.name = meta.name;
  if (ownDescription) md.description = meta.description;
  if (meta.normalization) md.normalization = meta.normalization;
  if (meta.labels) md.labels = meta.labels;
  if (extra.labelsFile) md.labelsFile = extra.labelsFile;
  if (extra.modelVersion) md.version = extra.modelVersion;
  if (extra.author) md.author = extra.author;
  if (extra.license) md.license = extra.license;
  if (extra.minParserVersion) md.minParserVersion = extra.minParserVersion;
  return md;
}
