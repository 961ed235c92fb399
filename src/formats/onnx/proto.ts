/** A minimal protobuf encoder: enough for ONNX's ModelProto (varints, length-delimited fields, fixed32 floats). */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  /** Field `n` as a varint (int32, int64, enum; non-negative or sign-extended to 64 bits). */
  varint(n: number, value: number): this {
    this.tag(n, 0);
    this.raw(encodeVarint(value));
    return this;
  }

  /** Field `n` as a 32-bit float. */
  float(n: number, value: number): this {
    this.tag(n, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.raw(b);
    return this;
  }

  /** Field `n` as a UTF-8 string. */
  string(n: number, value: string): this {
    return this.bytes(n, new TextEncoder().encode(value));
  }

  /** Field `n` as raw bytes. */
  bytes(n: number, value: Uint8Array): this {
    this.tag(n, 2);
    this.raw(encodeVarint(value.length));
    this.raw(value);
    return this;
  }

  /** Field `n` as an embedded message. */
  message(n: number, m: ProtoWriter): this {
    return this.bytes(n, m.finish());
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  private tag(n: number, wire: number): void {
    this.raw(encodeVarint(n * 8 + wire));
  }

  private raw(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }
}

/** Base-128 varint of a safe integer; negative numbers take ten bytes (two's complement over 64 bits). */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new RangeError(`varint: ${value} is not a safe integer`);
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}
