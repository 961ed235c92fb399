/** Element types a weights file may hold (wider than the engine's own DType). */
export type NamedDType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'uint8'
  | 'int8'
  | 'bool';

/**
 * A weight read from a checkpoint, in the file's own layout (PyTorch OIHW, Keras HWIO, ...).
 * `dtype` is the stored type; float16 and bfloat16 are decoded into a Float32Array,
 * float64 is a Float64Array, int64 a BigInt64Array, bool a Uint8Array of 0/1.
 */
export interface NamedTensor {
  dtype: NamedDType;
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Uint8Array | Int8Array;
}

/** The tensor's values as float32 (a copy unless already float32). */
export function toFloat32(t: NamedTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const out = new Float32Array(t.data.length);
  if (t.data instanceof BigInt64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  } else {
    out.set(t.data);
  }
  return out;
}

const f16Scratch = new Float32Array(1);
const f16Bits = new Uint32Array(f16Scratch.buffer);

/** Decodes one IEEE half-precision value from its 16 bits. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decodes one bfloat16 value from its 16 bits. */
export function bfloat16ToFloat(h: number): number {
  f16Bits[0] = (h & 0xffff) << 16;
  return f16Scratch[0];
}
