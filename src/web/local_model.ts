import { ImageError } from '../errors.js';
import type { BrowserImage } from '../formats/image/decode_browser.js';
import { decodeBrowserImage } from '../formats/image/decode_browser.js';
import type { RgbImage } from '../formats/image/types.js';
import { ImageModel } from '../tasks/image_model.js';
import type { ModelInit } from '../tasks/image_model.js';

/** An image in the browser: an element, bitmap, canvas, pixels, an encoded file (Blob/File), or RGB pixels. */
export type WebImageInput = BrowserImage | RgbImage;

/** What a {@link LocalModel} needs: the graph and its source, and optionally a pixel limit for decoding. */
export interface LocalModelInit extends ModelInit {
  /** Largest width·height of an image to decode (default 50 megapixels). */
  maxPixels?: number;
}

/** Whether `x` is RGB pixels rather than something to decode. */
export function isRgbImage(x: unknown): x is RgbImage {
  const o = x as Partial<RgbImage> | null;
  return typeof o === 'object' && o !== null && o.data instanceof Uint8Array && typeof o.width === 'number' && typeof o.height === 'number';
}

/** A model whose session runs on the thread that holds it (the page, or the engine worker). */
export class LocalModel extends ImageModel<WebImageInput> {
  private readonly maxPixels: number | undefined;

  constructor(init: LocalModelInit) {
    super(init);
    this.maxPixels = init.maxPixels;
  }

  protected async toRgb(image: WebImageInput): Promise<RgbImage> {
    if (!isRgbImage(image)) return decodeBrowserImage(image, { maxPixels: this.maxPixels });
    if (image.data.length !== image.width * image.height * 3) {
      throw new ImageError(`RGB image of ${image.width}x${image.height} has ${image.data.length} bytes, expected ${image.width * image.height * 3}`);
    }
    return image;
  }
}
