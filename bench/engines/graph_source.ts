import type { Graph } from '../../src/graph/index.js';
import { buildMobilenet, parseVariant } from '../../src/models/builders/index.js';
import { loadGraph } from '../../src/tasks/load.js';

/** The graph of a bench model: `builder:VARIANT` (seeded random weights) or a model file. */
export async function graphOf(model: string): Promise<Graph> {
  if (model.startsWith('builder:')) return buildMobilenet(parseVariant(model.slice('builder:'.length)));
  return (await loadGraph(model)).graph;
}
