import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath } from '../helpers/data.js';

/** The shared flower photos (transfer/flower_photos). */
export const flowers = dataPath('transfer', 'flower_photos');

/** Copies the first n photos of each given class of a split into a fresh class-folder dataset at `dest`. */
export function flowerSubset(split: 'train' | 'test', classes: string[], n: number, dest: string): string {
  rmSync(dest, { recursive: true, force: true });
  for (const c of classes) {
    mkdirSync(join(dest, c), { recursive: true });
    for (const f of readdirSync(join(flowers, split, c)).sort().slice(0, n)) copyFileSync(join(flowers, split, c, f), join(dest, c, f));
  }
  return dest;
}
