import { ImageError } from '../../errors.js';
import { checkDimensions } from './limits.js';
import type { RgbImage } from './types.js';

/*
 * Windows BMP reader: BITMAPCOREHEADER (12), BITMAPINFOHEADER (40), V2/V3 (52/56), V4 (108), V5 (124);
 * 1/4/8-bit palettes, 16/24/32-bit; BI_RGB, BI_BITFIELDS and BI_ALPHABITFIELDS; bottom-up and top-down rows.
 * RLE and embedded JPEG/PNG are rejected. Alpha, if any, is dropped.
 */

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;
const HEADER_SIZES = [12, 40, 52, 56, 108, 124];

/** The fields of a BMP header that decoding needs. */
export interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  dataOffset: number;
  headerSize: number;
  colorsUsed: number;
}

/** One colour channel of a BI_BITFIELDS mask: value = ((pixel & mask) >>> shift) scaled from `max` to 255. */
interface Channel {
  mask: number;
  shift: number;
  max: number;
}

/** Reads and validates the file and DIB headers (no pixel data). */
export function readBmpHeader(bytes: Uint8Array, name: string): BmpHeader {
  const fail = (what: string) => new ImageError(`image '${name}': ${what}`);
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw fail('truncated BMP header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  if (!HEADER_SIZES.includes(headerSize)) throw fail(`unsupported BMP header size ${headerSize}`);
  if (14 + headerSize > bytes.length) throw fail('truncated BMP header');
  if (headerSize === 12) {
    return {
      width: dv.getUint16(18, true),
      height: dv.getUint16(20, true),
      topDown: false,
      bitsPerPixel: dv.getUint16(24, true),
      compression: BI_RGB,
      dataOffset,
      headerSize,
      colorsUsed: 0,
    };
  }
  const rawHeight = dv.getInt32(22, true);
  return {
    width: dv.getInt32(18, true),
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel: dv.getUint16(28, true),
    compression: dv.getUint32(30, true),
    dataOffset,
    headerSize,
    colorsUsed: dv.getUint32(46, true),
  };
}

function channelOf(mask: number, fail: (what: string) => ImageError): Channel {
  mask >>>= 0;
  if (mask === 0) return { mask: 0, shift: 0, max: 1 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const bits = mask >>> shift;
  if ((bits & (bits + 1)) !== 0) throw fail(`BMP colour mask 0x${mask.toString(16)} is not contiguous`);
  return { mask, shift, max: bits };
}

function scaled(pixel: number, c: Channel): number {
  if (c.mask === 0) return 0;
  const v = (pixel & c.mask) >>> c.shift;
  return c.max === 255 ? v : Math.round((v * 255) / c.max);
}

/**
 * Decodes a BMP file to RGB. Checks the header's size against `maxPixels` before allocating;
 * bad or truncated files raise an ImageError naming `name`.
 */
export function decodeBmp(bytes: Uint8Array, name: string, maxPixels: number): RgbImage {
  const fail = (what: string) => new ImageError(`image '${name}': ${what}`);
  const h = readBmpHeader(bytes, name);
  const { width, height, bitsPerPixel: bpp, compression } = h;
  if (compression === BI_RLE8 || compression === BI_RLE4) {
    throw fail(`RLE-compressed BMP (${compression === BI_RLE8 ? 'RLE8' : 'RLE4'}) is not supported`);
  }
  if (compression === BI_JPEG || compression === BI_PNG) {
    throw fail(`BMP with embedded ${compression === BI_JPEG ? 'JPEG' : 'PNG'} data is not supported`);
  }
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw fail(`unknown BMP compression ${compression}`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw fail(`unsupported BMP bit depth ${bpp}`);
  if (compression !== BI_RGB && bpp !== 16 && bpp !== 32) {
    throw fail(`BMP bit fields need 16 or 32 bits per pixel, not ${bpp}`);
  }
  checkDimensions(name, width, height, maxPixels);

  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerEnd = 14 + h.headerSize;
  if (h.dataOffset < headerEnd) throw fail(`BMP pixel data offset ${h.dataOffset} lies inside the header`);

  let channels: Channel[] = [];
  if (compression !== BI_RGB) {
    // Masks sit at file offset 54 both inside V2+ headers and right after a 40-byte header.
    const count = compression === BI_ALPHABITFIELDS || h.headerSize >= 56 ? 4 : 3;
    if (54 + 4 * count > bytes.length) throw fail('truncated BMP colour masks');
    channels = [0, 1, 2].map((i) => channelOf(dv.getUint32(54 + 4 * i, true), fail));
  } else if (bpp === 16) {
    channels = [0x7c00, 0x03e0, 0x001f].map((m) => channelOf(m, fail));
  } else if (bpp === 32) {
    channels = [0xff0000, 0x00ff00, 0x0000ff].map((m) => channelOf(m, fail));
  }

  let palette = new Uint8Array(0);
  let paletteSize = 0;
  if (bpp <= 8) {
    const entry = h.headerSize === 12 ? 3 : 4;
    paletteSize = h.colorsUsed === 0 ? 1 << bpp : Math.min(h.colorsUsed, 1 << bpp);
    const start = headerEnd + (compression === BI_BITFIELDS && h.headerSize === 40 ? 12 : 0);
    if (start + paletteSize * entry > bytes.length) throw fail('truncated BMP palette');
    palette = new Uint8Array(paletteSize * 3);
    for (let i = 0; i < paletteSize; i++) {
      palette[3 * i] = bytes[start + entry * i + 2];
      palette[3 * i + 1] = bytes[start + entry * i + 1];
      palette[3 * i + 2] = bytes[start + entry * i];
    }
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const needed = stride * height;
  const available = bytes.length - h.dataOffset;
  if (available < needed) {
    throw fail(`truncated BMP pixel data (${Math.max(0, available)} of ${needed} bytes)`);
  }

  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = h.dataOffset + stride * (h.topDown ? y : height - 1 - y);
    let o = y * width * 3;
    if (bpp === 24) {
      for (let x = 0, p = row; x < width; x++, p += 3, o += 3) {
        out[o] = bytes[p + 2];
        out[o + 1] = bytes[p + 1];
        out[o + 2] = bytes[p];
      }
    } else if (bpp === 16 || bpp === 32) {
      const [r, g, b] = channels;
      for (let x = 0; x < width; x++, o += 3) {
        const px = bpp === 16 ? dv.getUint16(row + 2 * x, true) : dv.getUint32(row + 4 * x, true);
        out[o] = scaled(px, r);
        out[o + 1] = scaled(px, g);
        out[o + 2] = scaled(px, b);
      }
    } else {
      const perByte = 8 / bpp;
      const mask = (1 << bpp) - 1;
      for (let x = 0; x < width; x++, o += 3) {
        const byte = bytes[row + Math.floor(x / perByte)];
        const index = (byte >> (8 - bpp * ((x % perByte) + 1))) & mask;
        if (index >= paletteSize) {
          throw fail(`BMP palette index ${index} at pixel (${x}, ${y}) is outside the ${paletteSize}-colour palette`);
        }
        out[o] = palette[3 * index];
        out[o + 1] = palette[3 * index + 1];
        out[o + 2] = palette[3 * index + 2];
      }
    }
  }
  return { width, height, data: out };
}
