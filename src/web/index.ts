/**
 * mobilenet-ts in the browser: load a .tflite model from bytes or a same-origin URL and classify images,
 * canvases, bitmaps and files with the same engine as in Node.
 *
 * ```ts
 * import { loadModel } from './mobilenet.js';
 * const model = await loadModel('models/mobilenet_v1_0.25_128_quant.tflite');
 * const top = await model.classify(document.querySelector('img')!, { topK: 5 });
 * // In a Web Worker with 4 threads (the page must be cross-origin isolated):
 * const fast = await loadModel('models/mobilenet_v2_1.0_224_quant.tflite', { threads: 4 });
 * ```
 */
export * from '../errors.js';
export type { RgbImage, DecodeOptions } from '../formats/image/types.js';
export { decodeBrowserImage as decodeImage, type BrowserImage } from '../formats/image/decode_browser.js';
export { parseLabels } from '../formats/labels.js';
export type { ClassifyOptions, Prediction } from '../tasks/image_model.js';
export type { SessionOptions } from '../runtime/index.js';
export { Model, type WebImageInput } from './model.js';
export { loadModel, type WebLoadOptions, type WebModelSource } from './load.js';
