import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseLabels } from '../formats/labels.js';

const LABEL_FILES = ['labels.txt', 'imagenet_labels.txt', 'labels_mobilenet_quant_v1_224.txt'];

/** Finds a labels file beside a model file or up to two folders above it. */
export function findLabelsFile(modelPath: string): string | undefined {
  let dir = dirname(modelPath);
  for (let depth = 0; depth < 3; depth++) {
    for (const f of LABEL_FILES) {
      const p = join(dir, f);
      if (existsSync(p)) return p;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** Reads a labels file (one per line, optional `N:` prefixes). */
export function readLabelsFile(path: string): string[] {
  return parseLabels(readFileSync(path, 'utf8'));
}

/**
 * Fits a label list to a model's number of classes: a 1001-entry list starting with "background" serves a
 * 1000-class model by dropping it. Returns undefined when the counts cannot be reconciled.
 */
export function fitLabels(labels: string[], classes: number): string[] | undefined {
  if (labels.length === classes) return labels;
  if (labels.length === classes + 1 && labels[0] === 'background') return labels.slice(1);
  return undefined;
}
