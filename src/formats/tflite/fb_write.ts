/** Small helpers over the `flatbuffers` Builder: typed vectors and table field counts. */
import type { Builder } from 'flatbuffers';

/** Number of vtable slots of a table whose field indices are the values of `fields`. */
export function slots(fields: Readonly<Record<string, number>>): number {
  return Math.max(...Object.values(fields)) + 1;
}

/** A vector of int32. */
export function i32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

/** A vector of float32. */
export function f32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]!);
  return b.endVector();
}

/** A vector of int64. */
export function i64Vector(b: Builder, values: readonly number[]): number {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]!));
  return b.endVector();
}

/** A vector of table (or string) offsets, in order. */
export function offsetVector(b: Builder, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

/** A byte vector whose first byte is aligned to `align` bytes from the start of the finished buffer. */
export function alignedBytes(b: Builder, bytes: Uint8Array, align: number): number {
  // Pad so that the data's first byte lies a multiple of `align` bytes before the buffer's end; the
  // finished buffer's size is a multiple of the largest alignment used, so it is aligned from the start too.
  b.prep(align, bytes.length);
  return b.createByteVector(bytes);
}
