import type { Graph } from '../graph/index.js';
import { ModelFormatError } from '../errors.js';
import { isTflite, readTflite } from '../formats/tflite/reader.js';

/** Model formats besides TFLite, offered by the caller (Node offers TF.js, PyTorch and kNN heads). */
export interface OtherFormats {
  /** What the accepted formats are, for the error message (e.g. "a .tflite flatbuffer or a TF.js model.json"). */
  expected: string;
  /** Reads the bytes when one of these formats recognises them; undefined otherwise. */
  read(bytes: Uint8Array): Promise<Graph | undefined>;
}

/**
 * Reads model bytes into a graph, the format found from the content: TFLite here, others through `other`.
 * Browser-safe (no Node modules). `ownBytes`: the caller hands the bytes over (read them for this and will not
 * change them), so a TFLite graph's constants may view them instead of copies.
 *
 * @throws ModelFormatError for empty bytes, an unrecognised format or a corrupt file; the message names `source`.
 */
export async function graphFromBytes(bytes: Uint8Array, source: string, other?: OtherFormats, ownBytes = false): Promise<Graph> {
  if (bytes.length === 0) throw new ModelFormatError(`model '${source}' is empty (0 bytes)`);
  if (isTflite(bytes)) return readTflite(bytes, { source, shareBytes: ownBytes });
  const graph = await other?.read(bytes);
  if (graph) return graph;
  throw new ModelFormatError(`model '${source}': unrecognised format (expected ${other?.expected ?? 'a .tflite flatbuffer'})`);
}
