import { ModelFormatError } from '../../errors.js';
import { bfloat16ToFloat, halfToFloat, type NamedTensor } from '../named_tensor.js';
import { storageElementSize, type TensorRef } from './torch_globals.js';

/** Raw bytes of the root storage named `key` (little-endian unless `bigEndian`). */
export type StorageLoader = (key: string) => Uint8Array;

/** Gathers a strided tensor view into a contiguous NamedTensor of its dtype. */
export function materialize(t: TensorRef, name: string, load: StorageLoader, source: string, bigEndian = false): NamedTensor {
  const st = t.storage;
  if (!st.dtype) {
    throw new ModelFormatError(`${source}: tensor "${name}" has unsupported dtype (storage torch.${st.storageName})`);
  }
  const dtype = st.dtype;
  const es = storageElementSize(dtype);
  const raw = load(st.key);
  const rootElems = Math.floor(raw.length / es);
  const base = st.elementOffset + t.offset;
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (n > 2 ** 27 && n > rootElems) {
    throw new ModelFormatError(`${source}: tensor "${name}" (shape [${t.shape}]) is far larger than its storage "${st.key}"`);
  }
  if (n > 0) {
    let last = base;
    for (let d = 0; d < t.shape.length; d++) last += (t.shape[d] - 1) * t.stride[d];
    if (last >= rootElems || st.elementOffset + st.numel > rootElems) {
      throw new ModelFormatError(
        `${source}: tensor "${name}" (shape [${t.shape}], offset ${t.offset}) reaches element ${last} ` +
          `of storage "${st.key}", which holds ${rootElems} ${dtype} elements`,
      );
    }
  }
  if (dtype === 'float32' && !bigEndian && isContiguous(t)) {
    const bytes = Uint8Array.prototype.slice.call(raw, base * es, (base + n) * es);
    return { dtype, shape: t.shape.slice(), data: new Float32Array(bytes.buffer, 0, n) };
  }
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = !bigEndian;
  const out = allocateFor(dtype, n);
  const read = reader(dtype, dv, le);
  const rank = t.shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = base;
  for (let i = 0; i < n; i++) {
    out[i] = read(src * es) as never;
    for (let d = rank - 1; d >= 0; d--) {
      src += t.stride[d];
      if (++idx[d] < t.shape[d]) break;
      src -= t.stride[d] * t.shape[d];
      idx[d] = 0;
    }
  }
  return { dtype, shape: t.shape.slice(), data: out };
}

function isContiguous(t: TensorRef): boolean {
  let expect = 1;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    if (t.shape[d] !== 1 && t.stride[d] !== expect) return false;
    expect *= t.shape[d];
  }
  return true;
}

function allocateFor(dtype: NamedTensor['dtype'], n: number): NamedTensor['data'] {
  switch (dtype) {
    case 'float32':
    case 'float16':
    case 'bfloat16':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

function reader(dtype: NamedTensor['dtype'], dv: DataView, le: boolean): (byte: number) => number | bigint {
  switch (dtype) {
    case 'float32':
      return (b) => dv.getFloat32(b, le);
    case 'float16':
      return (b) => halfToFloat(dv.getUint16(b, le));
    case 'bfloat16':
      return (b) => bfloat16ToFloat(dv.getUint16(b, le));
    case 'float64':
      return (b) => dv.getFloat64(b, le);
    case 'int64':
      return (b) => dv.getBigInt64(b, le);
    case 'int32':
      return (b) => dv.getInt32(b, le);
    case 'int16':
      return (b) => dv.getInt16(b, le);
    case 'int8':
      return (b) => dv.getInt8(b);
    case 'uint8':
      return (b) => dv.getUint8(b);
    case 'bool':
      return (b) => (dv.getUint8(b) ? 1 : 0);
  }
}
