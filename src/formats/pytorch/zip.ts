import { inflateSync } from 'fflate';
import { ModelFormatError } from '../../errors.js';

/** One file of a ZIP archive, located through the central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** A read-only view of a ZIP archive held in memory (stored and deflated entries, ZIP64). */
export class ZipArchive {
  readonly entries = new Map<string, ZipEntry>();
  private readonly dv: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly source = 'zip archive',
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readCentralDirectory();
  }

  /** True when `bytes` starts with a ZIP local file header. */
  static isZip(bytes: Uint8Array): boolean {
    return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  }

  /** The uncompressed bytes of an entry (a view when stored), checked against its CRC-32. */
  read(name: string): Uint8Array {
    const e = this.entries.get(name);
    if (!e) throw new ModelFormatError(`${this.source}: missing entry "${name}"`);
    const lh = e.localHeaderOffset;
    if (lh + 30 > this.bytes.length || this.dv.getUint32(lh, true) !== 0x04034b50) {
      throw new ModelFormatError(`${this.source}: bad local header for entry "${name}" at offset ${lh}`);
    }
    const start = lh + 30 + this.dv.getUint16(lh + 26, true) + this.dv.getUint16(lh + 28, true);
    const end = start + e.compressedSize;
    if (end > this.bytes.length) {
      throw new ModelFormatError(
        `${this.source}: entry "${name}" is truncated (needs bytes ${start}..${end}, file has ${this.bytes.length})`,
      );
    }
    const raw = this.bytes.subarray(start, end);
    let data: Uint8Array;
    if (e.method === 0) {
      data = raw;
    } else if (e.method === 8) {
      try {
        data = inflateSync(raw, { out: new Uint8Array(e.size) });
      } catch (err) {
        throw new ModelFormatError(`${this.source}: cannot inflate entry "${name}": ${(err as Error).message}`);
      }
    } else {
      throw new ModelFormatError(`${this.source}: entry "${name}" uses unsupported compression method ${e.method}`);
    }
    if (data.length !== e.size) {
      throw new ModelFormatError(`${this.source}: entry "${name}" has ${data.length} bytes, directory says ${e.size}`);
    }
    if (crc32(data) !== e.crc32) {
      throw new ModelFormatError(`${this.source}: entry "${name}" fails its CRC-32 check (corrupt data)`);
    }
    return data;
  }

  private readCentralDirectory(): void {
    const n = this.bytes.length;
    let eocd = -1;
    for (let i = n - 22; i >= Math.max(0, n - 22 - 0xffff); i--) {
      if (this.dv.getUint32(i, true) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw new ModelFormatError(`${this.source}: no ZIP end-of-central-directory record (truncated file?)`);
    }
    let count = this.dv.getUint16(eocd + 10, true);
    let cdSize = this.dv.getUint32(eocd + 12, true);
    let cdOffset = this.dv.getUint32(eocd + 16, true);
    const loc = eocd - 20;
    if (loc >= 0 && this.dv.getUint32(loc, true) === 0x07064b50) {
      const z64 = this.u64(loc + 8, 'ZIP64 locator');
      if (z64 + 56 > n || this.dv.getUint32(z64, true) !== 0x06064b50) {
        throw new ModelFormatError(`${this.source}: bad ZIP64 end-of-central-directory record at ${z64}`);
      }
      count = this.u64(z64 + 32, 'ZIP64 entry count');
      cdSize = this.u64(z64 + 40, 'ZIP64 directory size');
      cdOffset = this.u64(z64 + 48, 'ZIP64 directory offset');
    }
    if (cdOffset + cdSize > n) {
      throw new ModelFormatError(
        `${this.source}: central directory (${cdOffset}+${cdSize}) lies beyond the end of the file (${n} bytes)`,
      );
    }
    let p = cdOffset;
    for (let k = 0; k < count; k++) {
      if (p + 46 > n || this.dv.getUint32(p, true) !== 0x02014b50) {
        throw new ModelFormatError(`${this.source}: bad central directory header #${k} at offset ${p}`);
      }
      const nameLen = this.dv.getUint16(p + 28, true);
      const extraLen = this.dv.getUint16(p + 30, true);
      const commentLen = this.dv.getUint16(p + 32, true);
      if (p + 46 + nameLen + extraLen > n) {
        throw new ModelFormatError(`${this.source}: central directory header #${k} runs past the end`);
      }
      const name = new TextDecoder().decode(this.bytes.subarray(p + 46, p + 46 + nameLen));
      const e: ZipEntry = {
        name,
        method: this.dv.getUint16(p + 10, true),
        crc32: this.dv.getUint32(p + 16, true),
        compressedSize: this.dv.getUint32(p + 20, true),
        size: this.dv.getUint32(p + 24, true),
        localHeaderOffset: this.dv.getUint32(p + 42, true),
      };
      this.applyZip64Extra(e, p + 46 + nameLen, extraLen);
      this.entries.set(name, e);
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  private applyZip64Extra(e: ZipEntry, start: number, len: number): void {
    const M = 0xffffffff;
    let q = start;
    while (q + 4 <= start + len) {
      const id = this.dv.getUint16(q, true);
      const size = this.dv.getUint16(q + 2, true);
      if (id === 0x0001) {
        let r = q + 4;
        if (e.size === M) (e.size = this.u64(r, e.name)), (r += 8);
        if (e.compressedSize === M) (e.compressedSize = this.u64(r, e.name)), (r += 8);
        if (e.localHeaderOffset === M) e.localHeaderOffset = this.u64(r, e.name);
      }
      q += 4 + size;
    }
  }

  private u64(at: number, what: string): number {
    if (at + 8 > this.bytes.length) throw new ModelFormatError(`${this.source}: ${what} runs past the end`);
    const v = this.dv.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ModelFormatError(`${this.source}: ${what} is out of range`);
    return Number(v);
  }
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE) of `data`. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
