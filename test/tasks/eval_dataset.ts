import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath } from '../helpers/data.js';

/** One row of the shared ImageNet sample's labels.csv. */
export interface SampleRow {
  file: string;
  tfliteIndex: number;
  shortName: string;
  className: string;
}

/** Reads imagenet-sample/labels.csv (quoted class names hold commas). */
export function sampleRows(): SampleRow[] {
  const lines = readFileSync(dataPath('imagenet-sample', 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  return lines.map((line) => {
    const m = /^([^,]+),(\d+),(\d+),([^,]+),([^,]+),(?:"(.*)"|(.*))$/.exec(line);
    if (!m) throw new Error(`unexpected labels.csv line: ${line}`);
    return { file: m[1]!, tfliteIndex: Number(m[3]), shortName: m[5]!, className: m[6] ?? m[7]! };
  });
}

/**
 * Lays out `count` ImageNet sample images (every `step`-th row, ambiguous names like "crane" left out) as one
 * sub-folder per class under `root`, the folders named in turn by the full label, the label in upper case, and
 * the short name with underscores, and writes a labels CSV of the same images for the flat-folder path.
 */
export function classFolderDataset(root: string, count: number, step: number): { dir: string; csv: string; rows: SampleRow[] } {
  rmSync(root, { recursive: true, force: true });
  const dir = join(root, 'classes');
  const all = sampleRows();
  const names = new Map<string, number>();
  for (const r of all) names.set(r.shortName, (names.get(r.shortName) ?? 0) + 1);
  const rows = all.filter((r, i) => i % step === 0 && names.get(r.shortName) === 1).slice(0, count);
  rows.forEach((r, i) => {
    const folder = [r.className, r.className.toUpperCase(), r.shortName.replace(/ /g, '_')][i % 3]!;
    mkdirSync(join(dir, folder), { recursive: true });
    symlinkSync(dataPath('imagenet-sample', r.file), join(dir, folder, r.file));
  });
  const csv = join(root, 'labels.csv');
  writeFileSync(csv, 'file,tflite_index\n' + rows.map((r) => `${r.file},${r.tfliteIndex}`).join('\n') + '\n');
  return { dir, csv, rows };
}
