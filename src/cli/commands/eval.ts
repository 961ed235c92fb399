import type { Command } from 'commander';
import { numElements } from '../../graph/index.js';
import { MobilenetError } from '../../errors.js';
import { evaluate, readLabelsCsv } from '../../tasks/evaluate.js';
import { loadModel } from '../../tasks/load.js';
import { DEFAULT_MODEL } from '../../models/zoo.js';
import { Progress } from '../progress.js';
import { resizeOption } from '../options.js';

/** `mobilenet eval <dir> --labels-csv FILE`: top-1/top-5 accuracy over a folder. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('measure top-1/top-5 accuracy on labelled images')
    .argument('<dir>', 'folder of images')
    .option('--labels-csv <file>', 'CSV with a file column and a class index column (tflite_index / imagenet_index / label)')
    .option('-m, --model <name|path>', 'zoo name or model file', DEFAULT_MODEL)
    .option('--model-dir <dir>', 'directory holding named models')
    .option('--resize <mode>', 'central-crop (default for TF models), resize, or resize-crop', resizeOption)
    .option('--limit <n>', 'evaluate only the first n images', Number)
    .option('--json', 'print one JSON object')
    .action(async (dir: string, o) => {
      const model = await loadModel(o.model, { modelDir: o.modelDir });
      const classes = numElements(model.output.shape);
      if (!o.labelsCsv) throw new MobilenetError('eval: --labels-csv FILE is required for a flat image folder');
      let items = readLabelsCsv(o.labelsCsv, dir, classes);
      if (o.limit) items = items.slice(0, o.limit);
      const bar = new Progress(items.length, 'eval');
      const r = await evaluate(model, items, {
        onProgress: (_d, _t, top1) => bar.tick(`top-1 ${(100 * top1).toFixed(1)}%`),
      });
      for (const s of r.skipped) console.error(`warning: skipped '${s.path}': ${s.error}`);
      if (o.json) {
        const { predictions: _p, ...rest } = r;
        console.log(JSON.stringify({ model: model.source, ...rest }, null, 2));
      } else {
        console.log(`model: ${model.source}`);
        console.log(`images: ${r.count}${r.skipped.length ? ` (${r.skipped.length} skipped)` : ''}`);
        console.log(`top-1: ${(100 * r.top1).toFixed(1)}%`);
        console.log(`top-5: ${(100 * r.top5).toFixed(1)}%`);
      }
    });
}
