/** TFLite model files: reading `.tflite` flatbuffers (with metadata and appended labels) into the graph IR. */
export { isTflite, readTflite, type ReadTfliteOptions } from './reader.js';
