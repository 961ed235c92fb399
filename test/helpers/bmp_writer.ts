/** A tiny BMP writer for tests: writes the layouts the reader claims to support, straight from the format spec. */

export interface BmpWriteOptions {
  bitsPerPixel: 1 | 4 | 8 | 16 | 24 | 32;
  /** Negative height, rows stored top first (not for the 12-byte core header). */
  topDown?: boolean;
  /** DIB header size: 12 (core), 40 (info), 56 (V3), 108 (V4), 124 (V5). Default 40. */
  headerSize?: 12 | 40 | 56 | 108 | 124;
  /** R, G, B(, A) masks for 16/32-bit; written with BI_BITFIELDS (or BI_ALPHABITFIELDS when 4 with a 40-byte header). */
  masks?: number[];
  /** Value written in the alpha mask bits (default 0x80 scaled), or in the unused byte of 32-bit BI_RGB. */
  alpha?: number;
  /** Palette (RGB triplets) and per-pixel indices, for 1/4/8-bit. */
  palette?: Uint8Array;
  indices?: Uint8Array;
  /** Override the compression field (to test rejection). */
  compression?: number;
  /** Write this colours-used count instead of the palette length. */
  colorsUsed?: number;
}

function quantize(v: number, mask: number): number {
  if (mask === 0) return 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (Math.round((v * max) / 255) << shift) >>> 0;
}

/** Encodes an RGB image (or palette indices) as a BMP file. */
export function writeBmp(width: number, height: number, rgb: Uint8Array | null, o: BmpWriteOptions): Uint8Array {
  const bpp = o.bitsPerPixel;
  const headerSize = o.headerSize ?? 40;
  const masks = o.masks;
  const extraMasks = masks && headerSize === 40 ? masks.length * 4 : 0;
  const entry = headerSize === 12 ? 3 : 4;
  const paletteLen = o.palette ? o.palette.length / 3 : 0;
  const dataOffset = 14 + headerSize + extraMasks + paletteLen * entry;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const size = dataOffset + stride * height;
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  b[0] = 0x42;
  b[1] = 0x4d;
  dv.setUint32(2, size, true);
  dv.setUint32(10, dataOffset, true);
  dv.setUint32(14, headerSize, true);
  if (headerSize === 12) {
    dv.setUint16(18, width, true);
    dv.setUint16(20, height, true);
    dv.setUint16(22, 1, true);
    dv.setUint16(24, bpp, true);
  } else {
    dv.setInt32(18, width, true);
    dv.setInt32(22, o.topDown ? -height : height, true);
    dv.setUint16(26, 1, true);
    dv.setUint16(28, bpp, true);
    const compression = o.compression ?? (masks ? (masks.length === 4 && headerSize === 40 ? 6 : 3) : 0);
    dv.setUint32(30, compression, true);
    dv.setUint32(34, stride * height, true);
    dv.setUint32(46, o.colorsUsed ?? paletteLen, true);
    if (masks) masks.forEach((m, i) => dv.setUint32(54 + 4 * i, m >>> 0, true));
    if (headerSize >= 108) dv.setUint32(70, 0x73524742, true); // 'sRGB' colour space
  }
  const pal = 14 + headerSize + extraMasks;
  for (let i = 0; i < paletteLen; i++) {
    b[pal + entry * i] = o.palette![3 * i + 2];
    b[pal + entry * i + 1] = o.palette![3 * i + 1];
    b[pal + entry * i + 2] = o.palette![3 * i];
  }
  const [rm, gm, bm, am] = masks ?? (bpp === 16 ? [0x7c00, 0x3e0, 0x1f] : [0xff0000, 0xff00, 0xff]);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + stride * (o.topDown ? y : height - 1 - y);
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      if (bpp <= 8) {
        const index = o.indices![y * width + x];
        const bit = x * bpp;
        b[row + (bit >> 3)] |= index << (8 - bpp - (bit & 7));
      } else if (bpp === 24) {
        b[row + 3 * x] = rgb![p + 2];
        b[row + 3 * x + 1] = rgb![p + 1];
        b[row + 3 * x + 2] = rgb![p];
      } else {
        let v = quantize(rgb![p], rm) | quantize(rgb![p + 1], gm) | quantize(rgb![p + 2], bm);
        if (am) v |= quantize(o.alpha ?? 0x80, am);
        else if (bpp === 32 && !masks) v |= (o.alpha ?? 0x80) << 24;
        if (bpp === 16) dv.setUint16(row + 2 * x, v, true);
        else dv.setUint32(row + 4 * x, v >>> 0, true);
      }
    }
  }
  return b;
}
