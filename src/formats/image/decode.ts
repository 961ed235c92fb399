import { ImageError, UnsupportedError } from '../../errors.js';
import { decodeBmp } from './bmp.js';
import { resolveMaxPixels } from './limits.js';
import { formatLabel, sniffImageFormat } from './sniff.js';
import type { DecodeOptions, RgbImage } from './types.js';

async function readBytes(path: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ImageError(`image '${path}': cannot read (${why})`);
  }
}

/**
 * Decodes an image file (a path) or encoded bytes to 8-bit RGB.
 *
 * The format is found from the magic bytes, not the file name: JPEG, PNG, WebP, GIF (first frame), TIFF,
 * AVIF/HEIF through sharp (Node only, loaded on demand), BMP by our own reader. EXIF orientation is applied,
 * grayscale and CMYK become RGB, alpha is dropped. The dimensions are checked against `maxPixels` before decoding.
 *
 * @throws ImageError for an unreadable, empty, unrecognised, truncated, corrupt or too large image;
 *   the message names the file (or `options.name`) and what is wrong.
 */
export async function decodeImage(input: string | Uint8Array, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = resolveMaxPixels(options.maxPixels);
  let name: string;
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    name = input;
    bytes = await readBytes(input);
  } else if (input instanceof Uint8Array) {
    name = options.name ?? '<buffer>';
    bytes = input;
  } else {
    throw new TypeError('decodeImage: input must be a file path or a Uint8Array');
  }
  if (bytes.length === 0) throw new ImageError(`image '${name}': empty file (0 bytes)`);
  const format = sniffImageFormat(bytes);
  if (format === null) throw new ImageError(`image '${name}': not an image (unrecognised format)`);
  if (format === 'bmp') return decodeBmp(bytes, name, maxPixels);
  let node: typeof import('./decode_node.js');
  try {
    node = await import('./decode_node.js');
  } catch (err) {
    throw new UnsupportedError(`image '${name}': decoding ${formatLabel(format)} needs sharp (${(err as Error).message})`);
  }
  return node.decodeWithSharp(bytes, name, format, maxPixels);
}
