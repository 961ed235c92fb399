import type { Graph } from '../graph/index.js';

/** A model-file format other than TFLite, recognised by content. */
export interface Loader {
  name: string;
  detect(bytes: Uint8Array): boolean;
  load(bytes: Uint8Array, source: string, path: string | undefined): Promise<Graph>;
}

/** Formats tried in order after TFLite. */
export const loaders: Loader[] = [];
