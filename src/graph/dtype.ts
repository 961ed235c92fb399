/** Element types the engine understands. */
export type DType = 'float32' | 'int32' | 'uint8' | 'int8' | 'int16' | 'int64' | 'bool';

/** Backing storage for a tensor of each dtype (int64 as BigInt64Array, bool as Uint8Array). */
export type TypedArray =
  | Float32Array
  | Int32Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | BigInt64Array;

const BYTES: Record<DType, number> = {
  float32: 4,
  int32: 4,
  uint8: 1,
  int8: 1,
  int16: 2,
  int64: 8,
  bool: 1,
};

/** Size in bytes of one element. */
export function bytesPerElement(dtype: DType): number {
  return BYTES[dtype];
}

/** Allocates a zeroed array of `n` elements. */
export function allocate(dtype: DType, n: number): TypedArray {
  return view(dtype, new ArrayBuffer(n * BYTES[dtype]), 0, n);
}

/** A typed view of `n` elements of `dtype` at `byteOffset` in `buffer` (offset must be aligned). */
export function view(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, n);
    case 'int32':
      return new Int32Array(buffer, byteOffset, n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, byteOffset, n);
    case 'int8':
      return new Int8Array(buffer, byteOffset, n);
    case 'int16':
      return new Int16Array(buffer, byteOffset, n);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, n);
  }
}

/** Copies `n` elements from raw little-endian bytes (any alignment) into a fresh array. */
export function fromBytes(dtype: DType, bytes: Uint8Array, n: number): TypedArray {
  const need = n * BYTES[dtype];
  if (bytes.length < need) {
    throw new RangeError(`need ${need} bytes for ${n} x ${dtype}, got ${bytes.length}`);
  }
  const copy = new Uint8Array(need);
  copy.set(bytes.subarray(0, need));
  return view(dtype, copy.buffer, 0, n);
}

/** True for the integer dtypes that carry quantization parameters. */
export function isQuantizedDType(dtype: DType): boolean {
  return dtype === 'uint8' || dtype === 'int8' || dtype === 'int16';
}

/** Inclusive range of an integer dtype. */
export function intRange(dtype: DType): [number, number] {
  switch (dtype) {
    case 'uint8':
      return [0, 255];
    case 'int8':
      return [-128, 127];
    case 'int16':
      return [-32768, 32767];
    case 'int32':
      return [-2147483648, 2147483647];
    default:
      throw new Error(`no integer range for ${dtype}`);
  }
}
