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

// Field indices of schema.fbs, written out here independently of the reader.
export const MODEL = { version: 0, operator_codes: 1, subgraphs: 2, buffers: 4, metadata: 6 };
export const SUBGRAPH = { tensors: 0, operators: 3 };
export const TENSOR = { buffer: 2 };
export const OPERATOR = { opcode_index: 0, inputs: 1 };
export const OPCODE = { deprecated_builtin_code: 0, builtin_code: 3 };

/** Positions of the main tables and vectors of a valid TFLite file. */
export function locate(b: Uint8Array) {
  const model = rootTable(b);
  const subgraph = tableAt(b, vectorPos(b, model, MODEL.subgraphs), 0);
  const tensors = vectorPos(b, subgraph, SUBGRAPH.tensors);
  const operators = vectorPos(b, subgraph, SUBGRAPH.operators);
  const opcodes = vectorPos(b, model, MODEL.operator_codes);
  return { model, subgraph, tensors, operators, opcodes };
}

/** A copy of `src` with the opcode used by the first operator of kind `fromCode` set to `toCode`. */
export function patchOpcode(src: Uint8Array, fromCode: number, toCode: number): { bytes: Uint8Array; operator: number } {
  const b = Uint8Array.from(src);
  const at = locate(b);
  const dv = new DataView(b.buffer);
  const nOps = dv.getUint32(at.operators, true);
  for (let k = 0; k < nOps; k++) {
    const op = tableAt(b, at.operators, k);
    const idxPos = fieldPos(b, op, OPERATOR.opcode_index);
    const oc = tableAt(b, at.opcodes, idxPos ? dv.getUint32(idxPos, true) : 0);
    const dep = fieldPos(b, oc, OPCODE.deprecated_builtin_code);
    const ext = fieldPos(b, oc, OPCODE.builtin_code);
    const code = Math.max(dep ? dv.getInt8(dep) : 0, ext ? dv.getInt32(ext, true) : 0);
    if (code !== fromCode) continue;
    if (!dep && !ext) throw new Error('opcode has no stored code field');
    if (dep) dv.setInt8(dep, toCode < 127 ? toCode : 127);
    if (ext) dv.setInt32(ext, toCode, true);
    return { bytes: b, operator: k };
  }
  throw new Error(`no operator with code ${fromCode}`);
}

