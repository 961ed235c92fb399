import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { MobilenetError } from '../../errors.js';
import { encodeNpyF32 } from '../../formats/npy.js';
import { loadModel } from '../../tasks/load.js';
import { embedFiles, listFiles } from '../../tasks/embed_files.js';
import { DEFAULT_MODEL } from '../../models/zoo.js';
import { Progress } from '../progress.js';
import { resizeOption } from '../options.js';

function formatOption(v: string): 'json' | 'npy' | 'csv' {
  if (v !== 'json' && v !== 'npy' && v !== 'csv') throw new InvalidArgumentError(`'${v}' is not json, npy or csv`);
  return v;
}

/** `mobilenet embed <image|dir...>`: pooled feature vectors as JSON, CSV or .npy. */
export function registerEmbed(program: Command): void {
  program
    .command('embed')
    .description('feature vectors (the pooled activations before the classifier) of images')
    .argument('<path...>', 'image files or folders (walked recursively)')
    .option('-m, --model <name|path>', 'zoo name or model file', DEFAULT_MODEL)
    .option('--model-dir <dir>', 'directory holding named models')
    .option('--normalize', 'scale each vector to unit L2 length')
    .option('--format <fmt>', 'json, npy (float32 [n, d] with a .files.txt sidecar) or csv', formatOption, 'json')
    .option('-o, --out <file>', 'output file (default: stdout; required for npy)')
    .option('--resize <mode>', 'central-crop (default for TF models), resize, or resize-crop', resizeOption)
    .option('--max-pixels <n>', 'skip images larger than this many pixels', Number)
    .option('--no-cache', 'do not read or write the embedding cache ($MOBILENET_CACHE or ~/.cache/mobilenet-ts)')
    .action(async (paths: string[], o) => {
      if (o.format === 'npy' && !o.out) throw new MobilenetError('embed: --format npy needs --out FILE');
      const files = await listFiles(paths);
      if (files.length === 0) throw new MobilenetError(`embed: no files found in ${paths.join(', ')}`);
      const model = await loadModel(o.model, { modelDir: o.modelDir });
      const bar = new Progress(files.length, 'embed');
      const r = await embedFiles(model, files, {
        normalize: o.normalize,
        resize: o.resize,
        maxPixels: o.maxPixels,
        cache: o.cache === false ? false : undefined,
        onProgress: () => bar.tick(),
      });
      for (const s of r.skipped) console.error(`warning: skipped '${s.path}': ${s.error}`);
      const dim = r.files[0]?.vectors[0]?.length ?? 0;
      let text: string | undefined;
      if (o.format === 'npy') {
        const all = new Float32Array(r.files.length * dim);
        r.files.forEach((f, i) => all.set(f.vectors[0]!, i * dim));
        await writeFile(o.out, encodeNpyF32(all, [r.files.length, dim]));
        await writeFile(`${o.out.replace(/\.npy$/i, '')}.files.txt`, r.files.map((f) => f.path + '\n').join(''));
      } else if (o.format === 'csv') {
        const header = ['file', ...Array.from({ length: dim }, (_, i) => `f${i}`)].join(',');
        const rows = r.files.map((f) => [csvCell(f.path), ...Array.from(f.vectors[0]!, (v) => String(v))].join(','));
        text = [header, ...rows].join('\n') + '\n';
      } else {
        const items = r.files.map((f) => ({ file: f.path, vector: Array.from(f.vectors[0]!) }));
        text = JSON.stringify({ model: model.source, dim, normalized: Boolean(o.normalize), embeddings: items }) + '\n';
      }
      if (text !== undefined) {
        if (o.out) await writeFile(o.out, text);
        else process.stdout.write(text);
      }
      const cached = r.cacheHits ? `, ${r.cacheHits} from cache` : '';
      console.error(`embedded ${r.files.length} image(s), ${dim} values each${cached}${r.skipped.length ? `; ${r.skipped.length} skipped` : ''}${o.out ? ` -> ${o.out}` : ''}`);
    });
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
