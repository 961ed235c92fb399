import { ImageError } from '../../errors.js';
import { decodeBmp } from './bmp.js';
import { headerSize } from './header_size.js';
import { checkDimensions, resolveMaxPixels } from './limits.js';
import { formatLabel, sniffImageFormat } from './sniff.js';
import type { DecodeOptions, RgbImage } from './types.js';

/** Images a browser hands over: elements, bitmaps, pixels, or encoded files (`File` is a `Blob`). */
export type BrowserImage = HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap | ImageData | Blob;

/** Bytes read from the start of a Blob for its format and header dimensions (JPEG EXIF may come first). */
const HEADER_BYTES = 128 * 1024;

function is<T>(ctor: { new (...a: never[]): T } | undefined, x: unknown): x is T {
  return typeof ctor === 'function' && x instanceof ctor;
}

function rgbaToRgb(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): RgbImage {
  const n = width * height;
  const data = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    data[i * 3] = rgba[j]!;
    data[i * 3 + 1] = rgba[j + 1]!;
    data[i * 3 + 2] = rgba[j + 2]!;
  }
  return { width, height, data };
}

type Drawable = HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap;

/** Draws at natural size (no resampling) on a 2D canvas and reads the pixels back. */
function readPixels(src: Drawable, width: number, height: number, name: string): RgbImage {
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new ImageError(`image '${name}': this browser gives no 2D canvas to read pixels with`);
  ctx.drawImage(src, 0, 0);
  let pixels: ImageData;
  try {
    pixels = ctx.getImageData(0, 0, width, height);
  } catch (err) {
    const why = (err as Error).name === 'SecurityError' ? 'a cross-origin image served without CORS: the browser hides its pixels' : (err as Error).message;
    throw new ImageError(`image '${name}': cannot read pixels (${why})`);
  }
  return rgbaToRgb(pixels.data, width, height);
}

async function decodeBlob(blob: Blob, name: string, maxPixels: number): Promise<RgbImage> {
  if (blob.size === 0) throw new ImageError(`image '${name}': empty file (0 bytes)`);
  const head = new Uint8Array(await blob.slice(0, HEADER_BYTES).arrayBuffer());
  const format = sniffImageFormat(head);
  if (format === null) throw new ImageError(`image '${name}': not an image (unrecognised format)`);
  if (format === 'bmp') return decodeBmp(new Uint8Array(await blob.arrayBuffer()), name, maxPixels);
  const size = headerSize(head, format);
  if (size) checkDimensions(name, size.width, size.height, maxPixels);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', premultiplyAlpha: 'none' });
  } catch (err) {
    throw new ImageError(`image '${name}': cannot decode this ${formatLabel(format)} file in this browser (${(err as Error).message})`);
  }
  try {
    checkDimensions(name, bitmap.width, bitmap.height, maxPixels);
    return readPixels(bitmap, bitmap.width, bitmap.height, name);
  } finally {
    bitmap.close();
  }
}

async function imageElementSize(img: HTMLImageElement, name: string): Promise<{ width: number; height: number }> {
  if (!img.complete) {
    try {
      await img.decode();
    } catch {
      // Reported below as a broken image.
    }
  }
  if (img.naturalWidth === 0 || img.naturalHeight === 0) {
    throw new ImageError(`image '${name}': the <img> element has no decoded picture (broken, not loaded or no src)`);
  }
  return { width: img.naturalWidth, height: img.naturalHeight };
}

/**
 * Decodes an image in a browser (or worker) to 8-bit RGB with the browser's own decoders.
 *
 * Blobs and Files are sniffed by their magic bytes; BMP goes through our own reader (as in Node), other formats
 * through `createImageBitmap` with the EXIF orientation applied as the browser applies it. Elements, bitmaps and
 * canvases are drawn at their natural size on a 2D canvas, so no resampling happens. Alpha is dropped; as canvases
 * store premultiplied colour, semi-transparent pixels may differ slightly from Node's decoder and fully
 * transparent ones read as black. The pixel limit is checked from the header (PNG, GIF, JPEG, WebP, BMP) before
 * decoding, and from the decoded size before the pixels are read.
 *
 * @throws ImageError for an empty, unrecognised, undecodable, broken, too large or cross-origin image.
 */
export async function decodeBrowserImage(image: BrowserImage, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = resolveMaxPixels(options.maxPixels);
  const name = options.name ?? (is(globalThis.File, image) ? image.name : '<image>');
  if (is(globalThis.ImageData, image)) {
    checkDimensions(name, image.width, image.height, maxPixels);
    return rgbaToRgb(image.data, image.width, image.height);
  }
  if (is(globalThis.Blob, image)) return decodeBlob(image, name, maxPixels);
  if (is(globalThis.HTMLImageElement, image)) {
    const { width, height } = await imageElementSize(image, name);
    checkDimensions(name, width, height, maxPixels);
    return readPixels(image, width, height, name);
  }
  if (is(globalThis.HTMLCanvasElement, image) || is(globalThis.OffscreenCanvas, image) || is(globalThis.ImageBitmap, image)) {
    checkDimensions(name, image.width, image.height, maxPixels);
    return readPixels(image, image.width, image.height, name);
  }
  throw new TypeError('decodeBrowserImage: expected an HTMLImageElement, HTMLCanvasElement, OffscreenCanvas, ImageBitmap, ImageData or Blob');
}
