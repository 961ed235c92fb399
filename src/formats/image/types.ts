/** A decoded picture: 8-bit RGB, 3 bytes per pixel, rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel, row-major, top row first. */
  data: Uint8Array;
}

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** Largest width·height accepted, checked from the header before decoding (default 50 megapixels). */
  maxPixels?: number;
  /** Name used in error messages when the input is bytes rather than a path (default `<buffer>`). */
  name?: string;
}

/** Image formats recognised by their magic bytes. */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'avif' | 'heic' | 'bmp';

/** The default pixel limit: 50 megapixels. */
export const DEFAULT_MAX_PIXELS = 50_000_000;
