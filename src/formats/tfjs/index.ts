export { readTfjsLayersModel, type TfjsLayersModel, type TfjsModelSource } from './read.js';
export { isTfjsLayersModelJson, type KerasLayer, type KerasModel, type InboundRef } from './topology.js';
export { tfjsLayersToGraph, type TfjsToGraphOptions } from './to_graph.js';
export type { NamedTensor } from '../named_tensor.js';
