import { ImageError } from '../../errors.js';
import { DEFAULT_MAX_PIXELS } from './types.js';

/** Megapixels with one decimal where it matters (`900 MP`, `0.3 MP`). */
export function megapixels(pixels: number): string {
  const mp = pixels / 1e6;
  return `${mp >= 10 ? Math.round(mp) : Math.round(mp * 10) / 10} MP`;
}

/** The pixel limit to apply: the option, validated, or the default. */
export function resolveMaxPixels(maxPixels: number | undefined): number {
  if (maxPixels === undefined) return DEFAULT_MAX_PIXELS;
  if (!Number.isFinite(maxPixels) || maxPixels < 1) {
    throw new RangeError(`maxPixels must be a positive number, got ${maxPixels}`);
  }
  return Math.floor(maxPixels);
}

/** Throws an ImageError when a header's dimensions are invalid or exceed the pixel limit. */
export function checkDimensions(name: string, width: number, height: number, maxPixels: number): void {
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new ImageError(`image '${name}': invalid dimensions ${width}x${height}`);
  }
  if (width * height > maxPixels) {
    throw new ImageError(
      `image '${name}' is ${width}x${height} (${megapixels(width * height)}), over the limit of ${megapixels(maxPixels)}`,
    );
  }
}
