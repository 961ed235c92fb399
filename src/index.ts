/**
 * mobilenet-ts: MobileNet image classification for TypeScript.
 *
 * ```ts
 * import { loadModel } from 'mobilenet-ts';
 * const model = await loadModel('mobilenet_v2_1.0_224.uint8.tflite');
 * const top = await model.classify('photo.jpg', { topK: 3 });
 * ```
 */
export * from './errors.js';
export type { Graph, ModelMeta, Normalization, ResizeConvention, Tensor, QuantParams, DType, TypedArray, Node, OpName } from './graph/index.js';
export { readTflite, isTflite } from './formats/tflite/index.js';
export { readTorchStateDict } from './formats/pytorch/index.js';
export { readTfjsLayersModel, tfjsLayersToGraph } from './formats/tfjs/index.js';
export { decodeImage, type RgbImage, type DecodeOptions } from './formats/image/index.js';
export { parseLabels } from './formats/labels.js';
export { enableRelaxedSimd, Session, SessionPool, type SessionOptions, type SessionPoolOptions } from './runtime/index.js';
export { buildMobilenet, parseVariant, variantName, type ModelSpec } from './models/builders/index.js';
export { resizeForModel, resizeForModelFloat, type PreprocessOptions } from './models/preprocess.js';
export { DEFAULT_MODEL, ZOO, resolveModel } from './models/zoo.js';
export { loadModel, loadGraph, type LoadOptions } from './tasks/load.js';
export { Model, type ClassifyOptions, type Prediction, type ImageInput } from './tasks/model.js';
export { PooledModel } from './tasks/pooled_model.js';
export { evaluate, type EvalResult, type LabelledImage } from './tasks/evaluate.js';
export { modelInfo } from './tasks/info.js';
export { embed, type EmbedOptions } from './tasks/embed.js';
export { embedFiles } from './tasks/embed_files.js';
export { trainClassifier, type TrainOptions, type TrainResult, type Example } from './tasks/train.js';
export { KnnClassifier, type KnnJson, type KnnPrediction } from './tasks/knn.js';
export { LinearClassifier, loadClassifier, type Classifier } from './tasks/classifier.js';
export { exportClassifier, type LinearHead } from './tasks/export_tflite.js';
export { writeTflite } from './formats/tflite/index.js';
