import type { Command } from 'commander';
import { loadClassifier } from '../../tasks/classifier.js';
import { DEFAULT_MODEL } from '../../models/zoo.js';
import { resizeOption, intOption } from '../options.js';

/** `mobilenet classify <image...>`: top predictions for each image. */
export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description('classify images with a MobileNet')
    .argument('<image...>', 'image files (JPEG, PNG, WebP, GIF, TIFF, BMP)')
    .option('-m, --model <name|path>', 'zoo name or model file', DEFAULT_MODEL)
    .option('--model-dir <dir>', 'directory holding named models')
    .option('--labels <file>', 'labels file (one per line) overriding the model\'s')
    .option('--backbone <name|path>', 'backbone of a kNN head JSON (default: the one it names)')
    .option('-k, --top <n>', 'number of predictions', intOption, 5)
    .option('--threshold <score>', 'drop predictions below this score', Number, 0)
    .option('--resize <mode>', 'central-crop (default for TF models), resize, or resize-crop', resizeOption)
    .option('--json', 'print JSON')
    .action(async (images: string[], o) => {
      const model = await loadClassifier(o.model, { modelDir: o.modelDir, labels: o.labels, backbone: o.backbone });
      const results = [];
      for (const image of images) {
        const predictions = await model.classify(image, { topK: o.top, scoreThreshold: o.threshold, resize: o.resize });
        results.push({ image, predictions });
        if (!o.json) {
          console.log(images.length > 1 ? `${image}:` : `${image} (${model.source}):`);
          for (const p of predictions) console.log(`  ${p.score.toFixed(4)}  ${String(p.index).padStart(4)}  ${p.label}`);
        }
      }
      if (o.json) {
        const rounded = results.map((r) => ({
          image: r.image,
          predictions: r.predictions.map((p) => ({ index: p.index, label: p.label, score: Number(p.score.toFixed(6)) })),
        }));
        console.log(JSON.stringify(rounded, null, 2));
      }
    });
}
