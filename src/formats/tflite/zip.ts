/**
 * A ZIP archive appended to a file (TFLite models with metadata carry their associated files this way):
 * central directory and entries read with bounds checks, stored or deflated entries, CRC-32 checked.
 */
import { inflateSync } from 'fflate';
import { ModelFormatError } from '../../errors.js';

/** One file of the archive. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Offset of the local header in the whole file. */
  localHeader: number;
}

const EOCD_SIG = 0x06054b50;
const CDIR_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** Entries larger than this are refused (the reader wants small text files such as labels). */
const MAX_ENTRY_BYTES = 64 << 20;

/**
 * The entries of a ZIP archive at the end of `bytes`, or undefined when the file does not end with an
 * end-of-central-directory record. Offsets are taken relative to where the archive starts, so an
 * archive appended to other data is read whichever way its offsets were written.
 */
export function readZipDirectory(bytes: Uint8Array, label: string): ZipEntry[] | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (msg: string): never => {
    throw new ModelFormatError(`${label}: appended ZIP: ${msg}`);
  };
  let eocd = -1;
  for (let p = bytes.length - 22; p >= 0 && p >= bytes.length - 22 - 0xffff; p--) {
    if (dv.getUint32(p, true) === EOCD_SIG && p + 22 + dv.getUint16(p + 20, true) === bytes.length) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = dv.getUint16(eocd + 10, true);
  const cdSize = dv.getUint32(eocd + 12, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) fail('ZIP64 archives are not supported');
  const cdStart = eocd - cdSize;
  const shift = cdStart - cdOffset;
  if (cdStart < 0 || shift < 0) {
    fail(`central directory (offset ${cdOffset}, ${cdSize} bytes) does not fit before the end record at ${eocd}`);
  }
  const entries: ZipEntry[] = [];
  let p = cdStart;
  for (let k = 0; k < count; k++) {
    if (p + 46 > eocd || dv.getUint32(p, true) !== CDIR_SIG) fail(`central directory entry ${k} at ${p} is corrupt`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc32 = dv.getUint32(p + 16, true);
    const compressedSize = dv.getUint32(p + 20, true);
    const size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen > eocd) fail(`central directory entry ${k} name runs past the directory`);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    if (flags & 1) fail(`entry '${name}' is encrypted`);
    entries.push({ name, method, compressedSize, size, crc32, localHeader: local + shift });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The uncompressed content of one entry, CRC-checked. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, label: string): Uint8Array {
  const fail = (msg: string): never => {
    throw new ModelFormatError(`${label}: appended ZIP entry '${entry.name}': ${msg}`);
  };
  const h = entry.localHeader;
  if (h + 30 > bytes.length) fail(`local header offset ${h} out of range (file is ${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(h, true) !== LOCAL_SIG) fail(`no local header at offset ${h}`);
  const start = h + 30 + dv.getUint16(h + 26, true) + dv.getUint16(h + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) fail(`data (${entry.compressedSize} bytes at ${start}) runs past the end of the file`);
  if (entry.size > MAX_ENTRY_BYTES) fail(`${entry.size} bytes is too large`);
  const raw = bytes.subarray(start, end);
  let data: Uint8Array;
  if (entry.method === 0) {
    data = raw;
  } else if (entry.method === 8) {
    try {
      data = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch (e) {
      return fail(`cannot inflate: ${(e as Error).message}`);
    }
  } else {
    return fail(`compression method ${entry.method} is not supported (only stored and deflate)`);
  }
  if (data.length !== entry.size) fail(`uncompressed size ${data.length}, directory says ${entry.size}`);
  const crc = crc32(data);
  if (crc !== entry.crc32) fail(`CRC-32 ${crc.toString(16)} does not match the directory's ${entry.crc32.toString(16)}`);
  return data;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE) of `data`. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
