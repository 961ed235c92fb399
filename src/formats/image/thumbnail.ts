import sharp from 'sharp';
import { ImageError } from '../../errors.js';
import { decodeImage } from './decode.js';
import type { DecodeOptions, RgbImage } from './types.js';

/** Options of {@link thumbnailDataUri}. */
export interface ThumbnailOptions extends DecodeOptions {
  /** Longest side of the thumbnail in pixels (default 112); smaller images are not enlarged. */
  size?: number;
  /** JPEG quality 1..100 (default 72). */
  quality?: number;
}

/**
 * Makes a small JPEG thumbnail of an image (a path, encoded bytes, or decoded RGB pixels) and returns it as a
 * `data:image/jpeg;base64,...` URI, ready for an `<img src>`. Decoding goes through {@link decodeImage}, so
 * every format it reads works (BMP included), EXIF orientation is applied and the pixel limit holds.
 * Node only (uses sharp).
 * @throws ImageError when the image cannot be decoded.
 */
export async function thumbnailDataUri(input: string | Uint8Array | RgbImage, options: ThumbnailOptions = {}): Promise<string> {
  const size = options.size ?? 112;
  const quality = options.quality ?? 72;
  if (!(Number.isInteger(size) && size >= 1 && size <= 4096)) throw new RangeError(`thumbnail size must be an integer in 1..4096, got ${size}`);
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) throw new RangeError(`thumbnail quality must be an integer in 1..100, got ${quality}`);
  const rgb = typeof input === 'string' || input instanceof Uint8Array ? await decodeImage(input, options) : input;
  try {
    const jpeg = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
      .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality, mozjpeg: true })
      .toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch (err) {
    const name = typeof input === 'string' ? input : (options.name ?? '<image>');
    throw new ImageError(`image '${name}': cannot make a thumbnail (${(err as Error).message.split('\n')[0]})`);
  }
}
