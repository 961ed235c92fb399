import sharp, { type Metadata } from 'sharp';
import { ImageError } from '../../errors.js';
import { checkDimensions } from './limits.js';
import { formatLabel } from './sniff.js';
import type { ImageFormat, RgbImage } from './types.js';

/*
 * Node decoder for JPEG, PNG, WebP, GIF (first frame), TIFF (first page), AVIF/HEIF, backed by sharp (libvips).
 * - EXIF orientation is applied.
 * - Alpha is dropped, not flattened: the colour channels are kept as stored, as TensorFlow's decode_png(channels=3),
 *   PIL's convert('RGB') and tf.browser.fromPixels do.
 * - Grayscale becomes RGB by replicating the gray value; CMYK is converted to sRGB (embedded profile, else libvips' default CMYK one).
 * - Embedded ICC profiles of RGB and grayscale images are ignored, as TensorFlow's and PIL's decoders ignore them.
 * - 16-bit images are reduced to 8 bits.
 */

const TRUNCATED = /premature end|truncat|unexpected end|end of (file|stream|data)|not enough data|short read/i;

function describe(err: unknown, name: string, format: ImageFormat): ImageError {
  const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
  const label = formatLabel(format);
  if (/exceeds pixel limit/i.test(detail)) return new ImageError(`image '${name}': over the pixel limit (${detail})`);
  if (TRUNCATED.test(detail)) return new ImageError(`image '${name}': truncated ${label} data (${detail})`);
  return new ImageError(`image '${name}': corrupt or unsupported ${label} data (${detail})`);
}

/**
 * Decodes an encoded image with sharp to 8-bit RGB. The header's dimensions (after EXIF orientation) are checked
 * against `maxPixels` before any pixel is decoded; libvips enforces the same limit while decoding.
 */
export async function decodeWithSharp(
  bytes: Uint8Array,
  name: string,
  format: ImageFormat,
  maxPixels: number,
): Promise<RgbImage> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch (err) {
    throw describe(err, name, format);
  }
  checkDimensions(name, meta.width, meta.height, maxPixels);
  // libvips' gray-to-sRGB conversion is not an exact replication, so gray is decoded as gray and copied.
  const gray = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0) === 1;
  try {
    const { data, info } = await sharp(bytes, {
      failOn: 'error',
      limitInputPixels: maxPixels,
      autoOrient: true,
      ignoreIcc: meta.space !== 'cmyk',
      pages: 1,
      page: 0,
    })
      .removeAlpha()
      .toColourspace(gray ? 'b-w' : 'srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const pixels = info.width * info.height;
    if (info.channels !== (gray ? 1 : 3) || data.length !== pixels * info.channels) {
      throw new ImageError(`image '${name}': decoder returned ${info.channels} channels, expected ${gray ? 1 : 3}`);
    }
    if (!gray) return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    const rgb = new Uint8Array(pixels * 3);
    for (let i = 0; i < pixels; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = data[i];
    return { width: info.width, height: info.height, data: rgb };
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw describe(err, name, format);
  }
}
