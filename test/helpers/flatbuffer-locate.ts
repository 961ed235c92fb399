/**
 * Minimal FlatBuffers navigation for tests that patch model files: positions of fields, vectors and
 * sub-tables, written independently of the reader under test (no bounds checks: used on valid files).
 */

function u32(b: Uint8Array, p: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(p, true);
}
function i32(b: Uint8Array, p: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(p, true);
}
function u16(b: Uint8Array, p: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(p, true);
}

/** Position of the root table. */
export function rootTable(b: Uint8Array): number {
  return u32(b, 0);
}

/** Position of the vtable entry of field `i` of the table at `t` (holds the field's offset). */
export function vtableEntry(b: Uint8Array, t: number, i: number): number {
  return t - i32(b, t) + 4 + 2 * i;
}

/** Absolute position of field `i` of the table at `t`, or 0 when absent. */
export function fieldPos(b: Uint8Array, t: number, i: number): number {
  const vt = t - i32(b, t);
  if (4 + 2 * i >= u16(b, vt)) return 0;
  const off = u16(b, vt + 4 + 2 * i);
  return off ? t + off : 0;
}

/** Position of the length word of the vector that field `i` of table `t` refers to. */
export function vectorPos(b: Uint8Array, t: number, i: number): number {
  const p = fieldPos(b, t, i);
  if (!p) throw new Error(`field ${i} absent`);
  return p + u32(b, p);
}

/** Position of element `k` of a vector of tables (the table itself). */
export function tableAt(b: Uint8Array, vec: number, k: number): number {
  const p = vec + 4 + 4 * k;
  return p + u32(b, p);
}

/** Position of a sub-table field. */
export function subTable(b: Uint8Array, t: number, i: number): number {
  const p = fieldPos(b, t, i);
  if (!p) throw new Error(`field ${i} absent`);
  return p + u32(b, p);
}

/** Writes a little-endian uint32. */
export function putU32(b: Uint8Array, p: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(p, v >>> 0, true);
}
