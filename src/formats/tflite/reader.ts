/** Reader of `.tflite` files (FlatBuffers, schema version 3) into the graph IR. */
import { ModelFormatError, UnsupportedError } from '../../errors.js';
import { bytesPerElement, fromBytes, view, type DType, type TypedArray } from '../../graph/dtype.js';
import type { Graph, ModelMeta } from '../../graph/graph.js';
import type { Node } from '../../graph/ops.js';
import { numElements, shapeToString, type QuantParams, type Tensor } from '../../graph/tensor.js';
import { validateGraph } from '../../graph/validate.js';
import { parseLabels } from '../labels.js';
import { FlatBuffer, type Table, type TableVector } from './flatbuf.js';
import { float16ToFloat32 } from './float16.js';
import { readMetadata, type TfliteMetadata } from './metadata.js';
import { readAttrs } from './options.js';
import { builtinName, CUSTOM_CODE, F, SUPPORTED_OPS, TENSOR_TYPE, TENSOR_TYPE_NAMES } from './schema.js';
import { readZipDirectory, readZipEntry } from './zip.js';

/** Options of `readTflite`. */
export interface ReadTfliteOptions {
  /** Where the bytes came from (a file name), quoted in error messages. */
  source?: string;
  /**
   * Constant tensors view `bytes` where their alignment allows instead of being copied (others are copied): faster,
   * and the weights are not held twice, but `bytes` must not change while the graph is used. Default false.
   */
  shareBytes?: boolean;
}

/** True when `bytes` carries the TFLite file identifier "TFL3" at bytes 4..8. */
export function isTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[4] === 0x54 && bytes[5] === 0x46 && bytes[6] === 0x4c && bytes[7] === 0x33;
}

const DTYPES: Partial<Record<number, DType>> = {
  [TENSOR_TYPE.FLOAT32]: 'float32',
  [TENSOR_TYPE.FLOAT16]: 'float32',
  [TENSOR_TYPE.INT32]: 'int32',
  [TENSOR_TYPE.UINT8]: 'uint8',
  [TENSOR_TYPE.INT64]: 'int64',
  [TENSOR_TYPE.BOOL]: 'bool',
  [TENSOR_TYPE.INT16]: 'int16',
  [TENSOR_TYPE.INT8]: 'int8',
};

/**
 * Reads a TFLite model: the first subgraph becomes the graph; constant tensors get their data copied
 * into aligned typed arrays (or viewed in place, see `shareBytes`; float16 constants converted to float32);
 * the TFLite metadata and the labels file of an appended ZIP archive go into `graph.meta`. The graph is
 * validated before it is returned.
 *
 * @throws ModelFormatError when the file is not a well-formed TFLite model (the message says what and where).
 * @throws UnsupportedError for operators or tensor types the engine does not implement.
 */
export function readTflite(bytes: Uint8Array, options: ReadTfliteOptions = {}): Graph {
  const label = options.source ? `tflite '${options.source}'` : 'tflite';
  if (bytes.length < 8) throw new ModelFormatError(`${label}: file is ${bytes.length} bytes, too short for a TFLite model`);
  if (!isTflite(bytes)) {
    const id = String.fromCharCode(...bytes.subarray(4, 8));
    throw new ModelFormatError(`${label}: file identifier is ${JSON.stringify(id)}, expected "TFL3": not a TFLite model`);
  }
  const fb = new FlatBuffer(bytes, label);
  const model = fb.root('Model');
  const version = model.u32(F.Model.version, 'version');
  if (version !== 3) fb.fail(`schema version ${version}, expected 3`);
  const buffers = model.tables(F.Model.buffers, 'buffers', 'Buffer');
  const subgraphs = model.tables(F.Model.subgraphs, 'subgraphs', 'SubGraph');
  if (subgraphs.length === 0) fb.fail('model has no subgraphs');
  const opcodes = model.tables(F.Model.operator_codes, 'operator_codes', 'OperatorCode');

  fb.where = 'subgraph 0';
  const sg = subgraphs.at(0);
  const tensorTables = sg.tables(F.SubGraph.tensors, 'tensors', 'Tensor');
  const tensors: Tensor[] = [];
  const share = options.shareBytes ?? false;
  for (let k = 0; k < tensorTables.length; k++) tensors.push(readTensor(fb, tensorTables.at(k), k, buffers, share));

  const n = tensors.length;
  const tensorIndex = (i: number, what: string): number => {
    if (!(i >= 0 && i < n)) fb.fail(`${what} is tensor ${i}, out of range (tensors: ${n})`);
    return i;
  };
  fb.where = 'subgraph 0';
  const inputs = (sg.i32s(F.SubGraph.inputs, 'inputs') ?? []).map((i, j) => tensorIndex(i, `input ${j}`));
  const outputs = (sg.i32s(F.SubGraph.outputs, 'outputs') ?? []).map((i, j) => tensorIndex(i, `output ${j}`));

  const codes = new Map<number, { code: number; custom?: string }>();
  const opTables = sg.tables(F.SubGraph.operators, 'operators', 'Operator');
  const nodes: Node[] = [];
  for (let k = 0; k < opTables.length; k++) {
    fb.where = `operator ${k}`;
    const t = opTables.at(k);
    const f = F.Operator;
    const outs = (t.i32s(f.outputs, 'outputs') ?? []).map((i, j) => tensorIndex(i, `output ${j}`));
    const ins = (t.i32s(f.inputs, 'inputs') ?? []).map((i, j) => (i === -1 ? -1 : tensorIndex(i, `input ${j}`)));
    const outName = outs.length > 0 ? tensors[outs[0]!]!.name : undefined;
    const opcodeIndex = t.u32(f.opcode_index, 'opcode_index');
    if (opcodeIndex >= opcodes.length) fb.fail(`opcode_index ${opcodeIndex} out of range (operator_codes: ${opcodes.length})`);
    let oc = codes.get(opcodeIndex);
    if (!oc) {
      oc = readOpcode(opcodes.at(opcodeIndex));
      codes.set(opcodeIndex, oc);
    }
    const op = SUPPORTED_OPS.get(oc.code);
    const at = `operator ${k}${outName !== undefined ? ` ('${outName}')` : ''}`;
    if (!op) {
      const what =
        oc.code === CUSTOM_CODE ? `custom operator '${oc.custom ?? ''}'` : `operator ${builtinName(oc.code)} (code ${oc.code})`;
      throw new UnsupportedError(
        `${label}: unsupported TFLite ${what} at ${at}; supported: ${[...SUPPORTED_OPS.values()].join(', ')}`,
      );
    }
    fb.where = `${at} ${op}`;
    const attrs = readAttrs(fb, op, t.u8(f.builtin_options_type, 'builtin_options_type'), t.table(f.builtin_options, 'builtin_options', 'BuiltinOptions'), {
      inputs: ins.map((i) => (i === -1 ? undefined : tensors[i]!.shape)),
      output: outs.length > 0 ? tensors[outs[0]!]!.shape : [],
    });
    const node = { op, attrs, inputs: ins, outputs: outs } as Node;
    if (outName !== undefined) node.name = outName;
    nodes.push(node);
  }

  fb.where = '';
  const meta = readMeta(fb, model, buffers, sg);
  const graph: Graph = { tensors, nodes, inputs, outputs, meta };
  try {
    validateGraph(graph);
  } catch (e) {
    if (e instanceof ModelFormatError) throw new ModelFormatError(`${label}: ${e.message}`);
    throw e;
  }
  return graph;
}

function readOpcode(t: Table): { code: number; custom?: string } {
  const f = F.OperatorCode;
  const code = Math.max(t.i8(f.deprecated_builtin_code, 'deprecated_builtin_code'), t.i32(f.builtin_code, 'builtin_code'));
  const custom = t.string(f.custom_code, 'custom_code');
  return custom !== undefined ? { code, custom } : { code };
}

/** The bytes of buffer `index` (empty for the sentinel buffer 0 and for activations). */
function bufferBytes(fb: FlatBuffer, buffers: TableVector, index: number, what: string): Uint8Array {
  if (index >= buffers.length) fb.fail(`${what} ${index} out of range (buffers: ${buffers.length})`);
  const b = buffers.at(index);
  const data = b.bytes(F.Buffer.data, 'data');
  if (data && data.length > 0) return data;
  // Models over 2 GB keep buffer data after the flatbuffer, at `offset` from the start of the file.
  const offset = b.u64(F.Buffer.offset, 'offset');
  if (offset > 1n) {
    const size = b.u64(F.Buffer.size, 'size');
    const end = offset + size;
    if (end > BigInt(fb.bytes.length)) {
      fb.fail(`buffer ${index} data at offset ${offset} (${size} bytes) runs past the end of the file (${fb.bytes.length} bytes)`);
    }
    return fb.bytes.subarray(Number(offset), Number(end));
  }
  return new Uint8Array(0);
}

function readTensor(fb: FlatBuffer, t: Table, k: number, buffers: TableVector, share: boolean): Tensor {
  const f = F.Tensor;
  fb.where = `tensor ${k}`;
  const name = t.string(f.name, 'name') ?? '';
  fb.where = `tensor ${k} '${name}'`;
  const shape = t.i32s(f.shape, 'shape') ?? [];
  if (!shape.every((d) => d >= 0)) fb.fail(`bad shape ${shapeToString(shape)}`);
  const type = t.i8(f.type, 'type');
  const typeName = TENSOR_TYPE_NAMES[type];
  if (typeName === undefined) fb.fail(`unknown tensor type ${type}`);
  const dtype = DTYPES[type];
  if (dtype === undefined) {
    throw new UnsupportedError(`${fb.label}: ${fb.where}: tensor type ${typeName} is not supported`);
  }
  if (t.has(f.sparsity)) throw new UnsupportedError(`${fb.label}: ${fb.where}: sparse tensors are not supported`);

  const tensor: Tensor = { name, dtype, shape };
  const raw = bufferBytes(fb, buffers, t.u32(f.buffer, 'buffer'), 'buffer index');
  if (raw.length > 0) tensor.data = constantData(fb, raw, type, dtype, shape, share);
  else if (type === TENSOR_TYPE.FLOAT16) {
    throw new UnsupportedError(`${fb.label}: ${fb.where}: float16 activations are not supported (only float16 constants)`);
  }
  const q = t.table(f.quantization, 'quantization', 'QuantizationParameters');
  if (q && dtype !== 'float32') {
    const quant = readQuant(fb, q, shape);
    if (quant) tensor.quant = quant;
  }
  return tensor;
}

function constantData(fb: FlatBuffer, raw: Uint8Array, type: number, dtype: DType, shape: number[], share: boolean): TypedArray {
  const count = numElements(shape);
  const elem = type === TENSOR_TYPE.FLOAT16 ? 2 : bytesPerElement(dtype);
  if (raw.length !== count * elem) {
    fb.fail(`buffer holds ${raw.length} bytes, shape ${shapeToString(shape)} of ${TENSOR_TYPE_NAMES[type]} needs ${count * elem}`);
  }
  fb.charge(Math.ceil(raw.length / 4), 'buffer data');
  if (type === TENSOR_TYPE.FLOAT16) return float16ToFloat32(raw, count);
  return share && raw.byteOffset % elem === 0 ? view(dtype, raw.buffer, raw.byteOffset, count) : fromBytes(dtype, raw, count);
}

function readQuant(fb: FlatBuffer, q: Table, shape: number[]): QuantParams | undefined {
  const f = F.QuantizationParameters;
  if (q.u8(f.details_type, 'details_type') !== 0) {
    throw new UnsupportedError(`${fb.label}: ${fb.where}: custom quantization details are not supported`);
  }
  const scale = q.f32s(f.scale, 'scale') ?? [];
  if (scale.length === 0) return undefined;
  const zeroPoint = q.i64s(f.zero_point, 'zero_point') ?? scale.map(() => 0);
  if (zeroPoint.length !== scale.length) {
    fb.fail(`quantization has ${scale.length} scales but ${zeroPoint.length} zero points`);
  }
  if (scale.length === 1) return { scale, zeroPoint, axis: 0 };
  const axis = q.i32(f.quantized_dimension, 'quantized_dimension');
  if (!(axis >= 0 && axis < shape.length && shape[axis] === scale.length)) {
    fb.fail(`${scale.length} per-channel scales do not match dimension ${axis} of shape ${shapeToString(shape)}`);
  }
  return { scale, zeroPoint, axis };
}

function readMeta(fb: FlatBuffer, model: Table, buffers: TableVector, sg: Table): ModelMeta {
  const extra: Record<string, string> = {};
  const description = model.string(F.Model.description, 'description');
  if (description) extra.converter = description;
  const sgName = sg.string(F.SubGraph.name, 'name');
  if (sgName) extra.subgraph = sgName;

  let md: TfliteMetadata | undefined;
  const entries = model.tables(F.Model.metadata, 'metadata', 'Metadata');
  for (let k = 0; k < entries.length; k++) {
    fb.where = `metadata ${k}`;
    const e = entries.at(k);
    const name = e.string(F.Metadata.name, 'name') ?? '';
    fb.where = `metadata ${k} '${name}'`;
    const data = bufferBytes(fb, buffers, e.u32(F.Metadata.buffer, 'buffer'), 'buffer index');
    if (name === 'TFLITE_METADATA') md = readMetadata(data, fb.label);
    else if (name === 'min_runtime_version') extra.minRuntimeVersion = new TextDecoder().decode(data).replace(/\0+$/, '');
  }
  fb.where = '';

  const meta: ModelMeta = { format: 'tflite' };
  if (md?.name) meta.name = md.name;
  const desc = md?.description ?? description;
  if (desc) meta.description = desc;
  if (md?.normalization) meta.normalization = md.normalization;
  if (md?.labelsFile) meta.labels = readLabels(fb, md.labelsFile);
  for (const key of ['version', 'author', 'license', 'minParserVersion'] as const) {
    const v = md?.[key];
    if (v) extra[key === 'version' ? 'modelVersion' : key] = v;
  }
  if (md?.labelsFile) extra.labelsFile = md.labelsFile;
  if (Object.keys(extra).length > 0) meta.extra = extra;
  return meta;
}

function readLabels(fb: FlatBuffer, file: string): string[] {
  const entries = readZipDirectory(fb.bytes, fb.label);
  if (!entries) fb.fail(`metadata names the labels file '${file}', but the model has no appended ZIP archive`);
  const entry = entries.find((e) => e.name === file);
  if (!entry) fb.fail(`labels file '${file}' named by the metadata is not in the appended ZIP archive`);
  return parseLabels(new TextDecoder().decode(readZipEntry(fb.bytes, entry, fb.label)));
}
