import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MobilenetError } from '../errors.js';
import type { LabelledImage } from './evaluate.js';

/** A class sub-folder and the model class it was matched to. */
export interface ClassFolder {
  /** The folder's name. */
  name: string;
  /** The matched class index in the model's output space. */
  index: number;
  /** Files found in the folder (recursively, hidden files left out), sorted. */
  files: string[];
}

/** Images of a class-folder dataset and how its folders map to the model's classes. */
export interface ClassFolderDataset {
  folders: ClassFolder[];
  items: LabelledImage[];
}

const firstName = (label: string) => label.split(',')[0]!.trim().toLowerCase();
const spaced = (s: string) => s.replace(/[_-]+/g, ' ').trim().toLowerCase();

/**
 * Finds the class a folder name stands for: an exact label, else a case-insensitive one, else the first
 * comma-separated name of an ImageNet-style label ("tench" for "tench, Tinca tinca"), else the same with
 * underscores or hyphens read as spaces.
 * @throws MobilenetError when no label or more than one label matches.
 */
export function matchFolderLabel(folder: string, labels: readonly string[]): number {
  const lower = folder.toLowerCase();
  const rules: ((l: string) => boolean)[] = [
    (l) => l === folder,
    (l) => l.toLowerCase() === lower,
    (l) => firstName(l) === lower,
    (l) => spaced(firstName(l)) === spaced(folder),
  ];
  for (const rule of rules) {
    const hits: number[] = [];
    labels.forEach((l, i) => rule(l) && hits.push(i));
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) {
      const list = hits.slice(0, 5).map((i) => `${i} '${labels[i]}'`).join(', ');
      throw new MobilenetError(`class folder '${folder}' matches ${hits.length} labels (${list}); rename it to one full label`);
    }
  }
  throw new MobilenetError(`class folder '${folder}' matches no label of the model; ${suggest(folder, labels)}`);
}

function suggest(folder: string, labels: readonly string[]): string {
  const key = spaced(folder);
  const near = labels.filter((l) => key.length > 2 && (spaced(l).includes(key) || key.includes(spaced(firstName(l)))));
  const shown = (near.length ? near : labels.filter((l) => l !== 'background')).slice(0, 5);
  const what = near.length ? 'similar labels' : `labels are like`;
  return `${what}: ${shown.map((l) => `'${l}'`).join(', ')} (${labels.length} in all)`;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(...listFiles(p));
    else if (st?.isFile()) out.push(p);
  }
  return out;
}

/**
 * Reads a folder holding one sub-folder per class (the Keras `image_dataset_from_directory` / Teachable Machine
 * layout) and labels every file below each sub-folder with the class the folder's name matches.
 * Files directly in `dir` are ignored, as Keras does. Files that are not images are kept: evaluation skips them.
 * @throws MobilenetError when `dir` is not a folder, has no class sub-folders, a folder matches no label, or no file is found.
 */
export function readClassFolders(dir: string, labels: readonly string[]): ClassFolderDataset {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st) throw new MobilenetError(`eval: folder '${dir}' not found`);
  if (!st.isDirectory()) throw new MobilenetError(`eval: '${dir}' is not a folder`);
  const names = readdirSync(dir)
    .filter((n) => !n.startsWith('.') && statSync(join(dir, n), { throwIfNoEntry: false })?.isDirectory())
    .sort();
  if (names.length === 0) {
    throw new MobilenetError(`eval: '${dir}' has no class sub-folders; for a flat folder of images give --labels-csv FILE`);
  }
  const folders = names.map((name) => {
    try {
      return { name, index: matchFolderLabel(name, labels), files: listFiles(join(dir, name)) };
    } catch (e) {
      if (e instanceof MobilenetError) throw new MobilenetError(`eval: ${e.message.replace(`'${name}'`, `'${join(dir, name)}'`)}`);
      throw e;
    }
  });
  const items = folders.flatMap((f) => f.files.map((path) => ({ path, label: f.index })));
  if (items.length === 0) throw new MobilenetError(`eval: the class folders of '${dir}' hold no files`);
  return { folders, items };
}
