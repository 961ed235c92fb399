import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { numElements } from '../../graph/index.js';
import type { LabelledImage } from '../../tasks/evaluate.js';
import { evaluate, readLabelsCsv } from '../../tasks/evaluate.js';
import { readClassFolders } from '../../tasks/eval_folders.js';
import type { Classifier } from '../../tasks/classifier.js';
import { loadClassifier } from '../../tasks/classifier.js';
import { MobilenetError } from '../../errors.js';
import { DEFAULT_MODEL } from '../../models/zoo.js';
import { Progress } from '../progress.js';
import { intOption, resizeOption } from '../options.js';

/** The labelled images: a flat folder with a labels CSV, else one sub-folder per class (with how the folders were matched). */
function dataset(model: Classifier, dir: string, labelsCsv: string | undefined): { items: LabelledImage[]; folders?: object[] } {
  const classes = model.labels?.length ?? numElements(model.backbone.output.shape);
  if (labelsCsv) return { items: readLabelsCsv(labelsCsv, dir, classes) };
  const labels = Array.from({ length: classes }, (_, i) => model.labelOf(i));
  const { items, folders } = readClassFolders(dir, labels);
  return { items, folders: folders.map((f) => ({ folder: f.name, index: f.index, label: labels[f.index], files: f.files.length })) };
}

/** `mobilenet eval <dir> [--labels-csv FILE] [--json] [--report FILE]`: top-1/top-5 accuracy over a folder. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('measure top-1/top-5 accuracy on labelled images: one sub-folder per class, or a flat folder with --labels-csv')
    .argument('<dir>', 'folder with one sub-folder per class (named after a label), or a flat folder of images')
    .option('--labels-csv <file>', 'CSV with a file column and a class index column (tflite_index / imagenet_index / label)')
    .option('-m, --model <name|path>', 'zoo name or model file', DEFAULT_MODEL)
    .option('--model-dir <dir>', 'directory holding named models')
    .option('--backbone <name|path>', 'backbone model of a kNN head (default: the one the head names)')
    .option('--labels <file>', "labels file to use instead of the model's own (one label per line)")
    .option('--resize <mode>', 'central-crop (default for TF models), resize, or resize-crop', resizeOption)
    .option('--limit <n>', 'evaluate only the first n images', intOption)
    .option('--workers <n>', 'run the model in n worker threads (one single-threaded session each) while images are decoded', intOption)
    .option('--json', 'print one JSON object')
    .option('--report <file>', 'write a self-contained HTML report (confusion matrix, per-class bars, misclassified thumbnails)')
    .action(async (dir: string, o) => {
      const model = await loadClassifier(o.model, { modelDir: o.modelDir, labels: o.labels, backbone: o.backbone });
      const { items: all, folders } = dataset(model, dir, o.labelsCsv);
      let items = all;
      if (o.limit) items = items.slice(0, o.limit);
      const bar = new Progress(items.length, 'eval');
      const pooled = o.workers ? await pooledModel(model, o.workers) : undefined;
      pooled?.readAhead(items.map((i) => i.path), o.resize);
      let r;
      try {
        r = await evaluate(pooled ?? model, items, {
          resize: o.resize,
          onProgress: (_d, _t, top1) => bar.tick(`top-1 ${(100 * top1).toFixed(1)}%`),
        });
      } finally {
        await pooled?.dispose();
      }
      for (const s of r.skipped) console.error(`warning: skipped '${s.path}': ${s.error}`);
      if (o.report) {
        const { evalReportHtml } = await import('../../tasks/report_html.js');
        const html = await evalReportHtml(r, { model: o.model, labelOf: (i) => model.labelOf(i), dataset: o.labelsCsv ?? dir });
        await writeFile(o.report, html);
        console.error(`report written to ${o.report}`);
      }
      if (o.json) {
        const { predictions: _p, ...rest } = r;
        console.log(JSON.stringify({ model: model.source, ...rest, ...(folders ? { folders } : {}) }, null, 2));
      } else {
        console.log(`model: ${model.source}`);
        console.log(`images: ${r.count}${r.skipped.length ? ` (${r.skipped.length} skipped)` : ''}`);
        console.log(`top-1: ${(100 * r.top1).toFixed(1)}%`);
        console.log(`top-5: ${(100 * r.top5).toFixed(1)}%`);
      }
    });
}

/** The model on a pool of worker sessions (plain models only: a kNN or softmax head runs its backbone in-process). */
async function pooledModel(model: Classifier, workers: number) {
  if (model.backbone !== model) {
    throw new MobilenetError(`--workers runs plain models only; '${model.source}' is a classifier head over a backbone`);
  }
  const { PooledModel } = await import('../../tasks/pooled_model.js');
  return PooledModel.create(model.backbone, workers);
}
