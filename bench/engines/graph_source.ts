import type { Graph } from '../../src/graph/index.js';
import { loadGraph } from '../../src/tasks/load.js';

/** The graph of a bench model: `builder:VARIANT` (seeded random weights) or a model file. */
export async function graphOf(model: string): Promise<Graph> {
  if (model.startsWith('builder:')) {
    // imported only for builder models, so the cold start of a model file does not pay for it
    const { buildMobilenet, parseVariant } = await import('../../src/models/builders/index.js');
    return buildMobilenet(parseVariant(model.slice('builder:'.length)));
  }
  return (await loadGraph(model)).graph;
}
