import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { MobilenetError } from '../../errors.js';
import { loadModel } from '../../tasks/load.js';
import { trainClassifier } from '../../tasks/train.js';
import { KnnClassifier } from '../../tasks/knn.js';
import { exportClassifier } from '../../tasks/export_tflite.js';
import { DEFAULT_MODEL } from '../../models/zoo.js';
import { Progress } from '../progress.js';
import { intOption, resizeOption } from '../options.js';

/** Augmented copies per image when `--augment` is given without a number. */
const DEFAULT_AUGMENT = 2;

function fractionOption(v: string): number {
  const f = Number(v);
  if (!(f >= 0 && f < 1)) throw new InvalidArgumentError(`'${v}' is not a fraction in [0, 1)`);
  return f;
}

function headOption(v: string): 'softmax' | 'knn' {
  if (v !== 'softmax' && v !== 'knn') throw new InvalidArgumentError(`'${v}' is not softmax or knn`);
  return v;
}

function copiesOption(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`'${v}' is not a whole number of copies`);
  return n;
}

/** `mobilenet train <dir>`: a softmax or kNN head on a backbone's feature vectors, from class folders. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a classifier head on feature vectors of a class-folder dataset (one sub-folder per class)')
    .argument('<dir>', 'dataset folder: <dir>/<class>/<images>')
    .option('-m, --model <name|path>', 'backbone: zoo name or model file', DEFAULT_MODEL)
    .option('--model-dir <dir>', 'directory holding named models')
    .option('--head <kind>', 'softmax (exported as .tflite) or knn (saved as .json)', headOption, 'softmax')
    .option('--epochs <n>', 'softmax: most epochs (early stopping on the validation loss)', intOption)
    .option('--val-split <f>', 'fraction of each class held out for validation (default 0.2 softmax, 0 knn)', fractionOption)
    .option('--augment [copies]', `add random crops and mirrors of each training image (default ${DEFAULT_AUGMENT} copies)`, copiesOption)
    .option('-k, --k <k>', 'knn: neighbours that vote (default 10, distance-weighted)', intOption)
    .option('--seed <n>', 'seed of the split, shuffling and augmentation', Number, 0)
    .option('--resize <mode>', 'central-crop (default for TF models), resize, or resize-crop', resizeOption)
    .option('--max-pixels <n>', 'skip images larger than this many pixels', Number)
    .option('--no-cache', 'do not read or write the embedding cache ($MOBILENET_CACHE or ~/.cache/mobilenet-ts)')
    .option('-o, --out <file>', 'write the classifier: my-model.tflite (softmax) or my-knn.json (knn)')
    .option('--json', 'print the summary as JSON')
    .action(async (dir: string, o) => {
      if (o.out) {
        const want = o.head === 'knn' ? '.json' : '.tflite';
        if (!o.out.toLowerCase().endsWith(want)) throw new MobilenetError(`train: --head ${o.head} writes a ${want} file, got --out '${o.out}'`);
      }
      const model = await loadModel(o.model, { modelDir: o.modelDir });
      let bar: Progress | undefined;
      let epochBar: Progress | undefined;
      const r = await trainClassifier(model, dir, {
        head: o.head,
        epochs: o.epochs,
        valSplit: o.valSplit,
        augment: o.augment === true ? DEFAULT_AUGMENT : o.augment,
        k: o.k,
        seed: o.seed,
        resize: o.resize,
        maxPixels: o.maxPixels,
        cache: o.cache === false ? false : undefined,
        onImage: (_d, total) => (bar ??= new Progress(total, 'embed')).tick(),
        onEpoch: (e) => {
          epochBar ??= new Progress(e.epochs, 'train');
          const val = e.valAccuracy === undefined ? '' : ` val loss ${e.valLoss!.toFixed(4)} val acc ${(100 * e.valAccuracy).toFixed(1)}%`;
          epochBar.tick(`loss ${e.loss.toFixed(4)}${val}`);
        },
      });
      if (epochBar && process.stderr.isTTY && r.epochsRun! < (o.epochs ?? 300)) process.stderr.write('\n');
      for (const s of r.skipped) console.error(`warning: skipped '${s.path}': ${s.error}`);
      if (o.out) {
        if (r.head) await writeFile(o.out, exportClassifier(model.graph, r.head, { description: `MobileNet feature vectors + softmax head (${r.labels.join(', ')})` }));
        else await writeFile(o.out, JSON.stringify(await (r.classifier as KnnClassifier).save()) + '\n');
      }
      const summary = {
        backbone: model.source,
        head: o.head,
        classes: r.labels,
        images_per_class: Object.fromEntries(r.labels.map((l, i) => [l, r.imagesPerClass[i]])),
        images: r.images,
        skipped: r.skipped.length,
        train_vectors: r.trainVectors,
        validation: r.validation ?? null,
        best_epoch: r.bestEpoch ?? null,
        epochs_run: r.epochsRun ?? null,
        cache_hits: r.cacheHits,
        seconds: r.seconds,
        out: o.out ?? null,
      };
      if (o.json) {
        console.log(JSON.stringify(summary, null, 2));
        return;
      }
      console.log(`backbone: ${model.source}`);
      console.log(`head: ${o.head}${r.classifier instanceof KnnClassifier ? ` (k=${r.classifier.k})` : ''}`);
      console.log(`classes: ${r.labels.map((l, i) => `${l} (${r.imagesPerClass[i]})`).join(', ')}`);
      console.log(`images: ${r.images}${r.skipped.length ? ` (${r.skipped.length} skipped)` : ''}, ${r.trainVectors} training vectors`);
      if (r.validation) console.log(`validation: ${(100 * r.validation.accuracy).toFixed(1)}% of ${r.validation.images}${r.bestEpoch ? ` (best epoch ${r.bestEpoch} of ${r.epochsRun})` : ''}`);
      console.log(`time: embed ${r.seconds.embed.toFixed(1)}s (${r.cacheHits} cached), fit ${r.seconds.fit.toFixed(1)}s`);
      console.log(o.out ? `saved: ${o.out}` : 'not saved (pass --out FILE)');
    });
}
