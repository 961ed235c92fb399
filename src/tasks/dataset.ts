import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MobilenetError } from '../errors.js';
import { listFiles } from './embed_files.js';

/** A class-folder dataset: one sub-folder per class, classes sorted by name. */
export interface ClassFolderDataset {
  labels: string[];
  files: { path: string; label: number }[];
}

/**
 * Reads a dataset laid out as `<dir>/<class>/**` (the layout of Keras `image_dataset_from_directory`).
 * Hidden entries and files directly in `<dir>` are ignored.
 * @throws MobilenetError when the folder is missing, has fewer than two classes, or a class folder is empty.
 */
export async function readClassFolders(dir: string): Promise<ClassFolderDataset> {
  let s;
  try {
    s = await stat(dir);
  } catch {
    throw new MobilenetError(`dataset '${dir}' not found`);
  }
  if (!s.isDirectory()) throw new MobilenetError(`dataset '${dir}' is not a folder (expected one sub-folder per class)`);
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  const labels = entries.map((e) => e.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (labels.length < 2) {
    throw new MobilenetError(
      `dataset '${dir}' has ${labels.length === 0 ? 'no class folders' : `only one class folder ('${labels[0]}')`}: a classifier needs at least two (one sub-folder per class)`,
    );
  }
  const files: ClassFolderDataset['files'] = [];
  for (const [label, name] of labels.entries()) {
    const paths = await listFiles([join(dir, name)]);
    if (paths.length === 0) throw new MobilenetError(`dataset '${dir}': class folder '${name}' has no files`);
    for (const path of paths) files.push({ path, label });
  }
  return { labels, files };
}
