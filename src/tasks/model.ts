import type { RgbImage } from '../formats/image/index.js';
import { decodeImage } from '../formats/image/index.js';
import { ImageModel } from './image_model.js';

export type { ClassifyOptions, ModelInit, Prediction } from './image_model.js';

/** An image as a file path, encoded file bytes, or decoded RGB pixels. */
export type ImageInput = string | Uint8Array | RgbImage;

/** A loaded model (Node): classify images given as files, encoded bytes or RGB pixels; run raw tensors. */
export class Model extends ImageModel<ImageInput> {
  /** The model itself: the network whose input tensor {@link run} takes. */
  get backbone(): Model {
    return this;
  }

  protected async toRgb(image: ImageInput): Promise<RgbImage> {
    if (typeof image === 'string' || image instanceof Uint8Array) return decodeImage(image);
    return image;
  }
}
