import { ModelFormatError } from '../errors.js';
import type { Graph } from '../graph/index.js';
import { numElements } from '../graph/index.js';

/**
 * Gives `graph` the labels `list` (from `where`) when they fit its first output; as in Node, a 1001-entry list
 * starting with "background" serves a 1000-class model.
 *
 * @throws ModelFormatError when the count does not fit.
 */
export function fitLabels(graph: Graph, list: string[], where: string): void {
  const out = graph.tensors[graph.outputs[0]!];
  const classes = out ? numElements(out.shape) : 0;
  const fitted = list.length === classes ? list : list.length === classes + 1 && list[0] === 'background' ? list.slice(1) : undefined;
  if (!fitted) throw new ModelFormatError(`${where} has ${list.length} labels but the model outputs ${classes} classes`);
  graph.meta.labels = fitted;
}
