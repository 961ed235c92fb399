export type { RgbImage, DecodeOptions, ImageFormat } from './types.js';
export { DEFAULT_MAX_PIXELS } from './types.js';
export { decodeImage } from './decode.js';
export { decodeBmp, readBmpHeader } from './bmp.js';
export type { BmpHeader } from './bmp.js';
export { sniffImageFormat } from './sniff.js';
