/** TFLite model files: reading `.tflite` flatbuffers (with metadata and appended labels) into the graph IR. */
export { isTflite, readTflite, type ReadTfliteOptions } from './reader.js';
export { writeTflite, type WriteTfliteOptions } from './writer.js';
export type { TfliteMetadataInput } from './metadata_write.js';
