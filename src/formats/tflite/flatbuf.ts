import { ModelFormatError } from '../../errors.js';

const utf8 = new TextDecoder('utf-8');

function hex(n: number): string {
  return n >= 0 && Number.isFinite(n) ? '0x' + n.toString(16) : String(n);
}

/**
 * Bounds-checked reader of one FlatBuffers buffer.
 *
 * Every offset, vector length and string is checked against the buffer; a failure throws
 * `ModelFormatError` naming the table and field being read. Reading is driven by the schema (no
 * recursion that the data can steer), and the number of vector elements read in total is capped by
 * the size of the buffer, so overlapping or cyclic references cannot make reading run away.
 */
export class FlatBuffer {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  /** Prefix of error messages, e.g. `tflite` or `tflite metadata`. */
  readonly label: string;
  /** What is being read, for error messages, e.g. `tensor 12 'conv1/weights'`; set by the caller. */
  where = '';
  private budget: number;

  constructor(bytes: Uint8Array, label: string) {
    this.bytes = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.label = label;
    this.budget = 4 * bytes.length + (1 << 20);
  }

  /** Throws a `ModelFormatError` with the label and the current `where`. */
  fail(message: string): never {
    throw new ModelFormatError(`${this.label}: ${this.where ? this.where + ': ' : ''}${message}`);
  }

  /** Checks that `size` bytes at `pos` lie inside the buffer. */
  check(pos: number, size: number, what: string): void {
    if (!(Number.isSafeInteger(pos) && pos >= 0 && size >= 0 && pos + size <= this.bytes.length)) {
      this.fail(`offset ${hex(pos)} out of range reading ${what} (${size} bytes; file is ${this.bytes.length} bytes)`);
    }
  }

  /** Counts `n` elements against the reading budget (linear in the buffer size). */
  charge(n: number, what: string): void {
    this.budget -= n;
    if (this.budget < 0) this.fail(`too many elements referenced reading ${what}: overlapping vectors or a corrupt file`);
  }

  u8(pos: number, what: string): number {
    this.check(pos, 1, what);
    return this.dv.getUint8(pos);
  }
  i8(pos: number, what: string): number {
    this.check(pos, 1, what);
    return this.dv.getInt8(pos);
  }
  u16(pos: number, what: string): number {
    this.check(pos, 2, what);
    return this.dv.getUint16(pos, true);
  }
  i32(pos: number, what: string): number {
    this.check(pos, 4, what);
    return this.dv.getInt32(pos, true);
  }
  u32(pos: number, what: string): number {
    this.check(pos, 4, what);
    return this.dv.getUint32(pos, true);
  }
  f32(pos: number, what: string): number {
    this.check(pos, 4, what);
    return this.dv.getFloat32(pos, true);
  }
  i64(pos: number, what: string): bigint {
    this.check(pos, 8, what);
    return this.dv.getBigInt64(pos, true);
  }
  u64(pos: number, what: string): bigint {
    this.check(pos, 8, what);
    return this.dv.getBigUint64(pos, true);
  }

  /** The 4-byte file identifier at bytes 4..8 (empty when the buffer is too short). */
  identifier(): string {
    if (this.bytes.length < 8) return '';
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }

  /** The root table. */
  root(type: string): Table {
    const off = this.u32(0, `${type} root offset`);
    return new Table(this, off, type);
  }
}

/** A list of tables read lazily, each element charged to the reading budget. */
export interface TableVector {
  readonly length: number;
  at(k: number): Table;
}

/** One table of a `FlatBuffer`: fields are read by their index in the schema (0, 1, 2 …). */
export class Table {
  private readonly vtable: number;
  private readonly vsize: number;
  private readonly osize: number;

  constructor(
    readonly fb: FlatBuffer,
    readonly pos: number,
    readonly type: string,
  ) {
    const vt = pos - fb.i32(pos, `${type} (vtable offset)`);
    const vsize = fb.u16(vt, `${type} vtable`);
    const osize = fb.u16(vt + 2, `${type} vtable`);
    if (vsize < 4 || vsize % 2 !== 0) fb.fail(`${type} at ${hex(pos)} has a bad vtable size ${vsize}`);
    fb.check(vt, vsize, `${type} vtable`);
    if (osize < 4) fb.fail(`${type} at ${hex(pos)} has a bad table size ${osize}`);
    fb.check(pos, osize, `${type} table`);
    this.vtable = vt;
    this.vsize = vsize;
    this.osize = osize;
  }

  private what(name: string): string {
    return `${this.type}.${name}`;
  }

  /** Absolute position of field `i` (`size` bytes), or 0 when absent. */
  private field(i: number, name: string, size: number): number {
    const vo = 4 + 2 * i;
    if (vo + 2 > this.vsize) return 0;
    const off = this.fb.u16(this.vtable + vo, this.what(name));
    if (off === 0) return 0;
    if (off + size > this.osize) {
      this.fb.fail(`${this.what(name)}: field offset ${off} lies outside its table (${this.osize} bytes)`);
    }
    return this.pos + off;
  }

  /** True when field `i` is present. */
  has(i: number): boolean {
    const vo = 4 + 2 * i;
    return vo + 2 <= this.vsize && this.fb.u16(this.vtable + vo, this.type) !== 0;
  }

  u8(i: number, name: string, def = 0): number {
    const p = this.field(i, name, 1);
    return p ? this.fb.u8(p, this.what(name)) : def;
  }
  i8(i: number, name: string, def = 0): number {
    const p = this.field(i, name, 1);
    return p ? this.fb.i8(p, this.what(name)) : def;
  }
  bool(i: number, name: string, def = false): boolean {
    const p = this.field(i, name, 1);
    return p ? this.fb.u8(p, this.what(name)) !== 0 : def;
  }
  i32(i: number, name: string, def = 0): number {
    const p = this.field(i, name, 4);
    return p ? this.fb.i32(p, this.what(name)) : def;
  }
  u32(i: number, name: string, def = 0): number {
    const p = this.field(i, name, 4);
    return p ? this.fb.u32(p, this.what(name)) : def;
  }
  f32(i: number, name: string, def = 0): number {
    const p = this.field(i, name, 4);
    return p ? this.fb.f32(p, this.what(name)) : def;
  }
  u64(i: number, name: string, def = 0n): bigint {
    const p = this.field(i, name, 8);
    return p ? this.fb.u64(p, this.what(name)) : def;
  }

  /** Target of the offset field `i`, or 0 when absent. */
  private ref(i: number, name: string): number {
    const p = this.field(i, name, 4);
    if (!p) return 0;
    const target = p + this.fb.u32(p, this.what(name));
    this.fb.check(target, 4, this.what(name));
    return target;
  }

  /** Start and length of vector field `i` with `elemSize`-byte elements, or undefined when absent. */
  private vector(i: number, name: string, elemSize: number): { start: number; n: number } | undefined {
    const at = this.ref(i, name);
    if (!at) return undefined;
    const n = this.fb.u32(at, this.what(name));
    const start = at + 4;
    if (n * elemSize > this.fb.bytes.length - start) {
      this.fb.fail(
        `${this.what(name)}: vector of ${n} elements at ${hex(at)} runs past the end of the file ` +
          `(${this.fb.bytes.length} bytes)`,
      );
    }
    return { start, n };
  }

  /** Sub-table field `i`, or undefined when absent. */
  table(i: number, name: string, type: string): Table | undefined {
    const at = this.ref(i, name);
    return at ? new Table(this.fb, at, type) : undefined;
  }

  /** Vector of tables field `i` (empty when absent). */
  tables(i: number, name: string, type: string): TableVector {
    const v = this.vector(i, name, 4);
    if (!v) return { length: 0, at: () => this.fb.fail(`${this.what(name)} is empty`) };
    const { start, n } = v;
    const fb = this.fb;
    const what = this.what(name);
    return {
      length: n,
      at(k: number): Table {
        if (!(k >= 0 && k < n)) fb.fail(`${what}: index ${k} out of range (${n} elements)`);
        fb.charge(1, what);
        const p = start + 4 * k;
        const target = p + fb.u32(p, what);
        return new Table(fb, target, type);
      },
    };
  }

  /** Vector of int32 field `i` (undefined when absent). */
  i32s(i: number, name: string): number[] | undefined {
    const v = this.vector(i, name, 4);
    if (!v) return undefined;
    this.fb.charge(v.n, this.what(name));
    const out = new Array<number>(v.n);
    for (let k = 0; k < v.n; k++) out[k] = this.fb.i32(v.start + 4 * k, this.what(name));
    return out;
  }

  /** Vector of float32 field `i` (undefined when absent). */
  f32s(i: number, name: string): number[] | undefined {
    const v = this.vector(i, name, 4);
    if (!v) return undefined;
    this.fb.charge(v.n, this.what(name));
    const out = new Array<number>(v.n);
    for (let k = 0; k < v.n; k++) out[k] = this.fb.f32(v.start + 4 * k, this.what(name));
    return out;
  }

  /** Vector of int64 field `i` as numbers; values beyond ±2^53 are an error. */
  i64s(i: number, name: string): number[] | undefined {
    const v = this.vector(i, name, 8);
    if (!v) return undefined;
    this.fb.charge(v.n, this.what(name));
    const out = new Array<number>(v.n);
    for (let k = 0; k < v.n; k++) {
      const x = this.fb.i64(v.start + 8 * k, this.what(name));
      if (x > BigInt(Number.MAX_SAFE_INTEGER) || x < BigInt(Number.MIN_SAFE_INTEGER)) {
        this.fb.fail(`${this.what(name)}[${k}] = ${x} is out of range`);
      }
      out[k] = Number(x);
    }
    return out;
  }

  /** Vector of bytes field `i`, as a view into the buffer (undefined when absent). */
  bytes(i: number, name: string): Uint8Array | undefined {
    const v = this.vector(i, name, 1);
    if (!v) return undefined;
    return this.fb.bytes.subarray(v.start, v.start + v.n);
  }

  /** String field `i` (undefined when absent). */
  string(i: number, name: string): string | undefined {
    const b = this.bytes(i, name);
    if (!b) return undefined;
    this.fb.charge(Math.ceil(b.length / 16), this.what(name));
    return utf8.decode(b);
  }

  /** Vector of strings field `i` (undefined when absent). */
  strings(i: number, name: string): string[] | undefined {
    const v = this.vector(i, name, 4);
    if (!v) return undefined;
    this.fb.charge(v.n, this.what(name));
    const out: string[] = [];
    for (let k = 0; k < v.n; k++) {
      const p = v.start + 4 * k;
      const at = p + this.fb.u32(p, this.what(name));
      const len = this.fb.u32(at, this.what(name));
      this.fb.check(at + 4, len, this.what(name));
      this.fb.charge(Math.ceil(len / 16), this.what(name));
      out.push(utf8.decode(this.fb.bytes.subarray(at + 4, at + 4 + len)));
    }
    return out;
  }
}
