import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { bytesPerElement, fromBytes, numElements, shapeToString } from '../../graph/index.js';
import { ShapeError } from '../../errors.js';
import { loadClassifier } from '../../tasks/classifier.js';
import type { Model } from '../../tasks/model.js';

/** `mobilenet run`: raw tensor bytes in, raw tensor bytes out. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a model on a raw input tensor (little-endian bytes, shape and dtype from the model)')
    .requiredOption('-m, --model <name|path>', 'zoo name or model file')
    .option('--model-dir <dir>', 'directory holding named models')
    .option('--backbone <name|path>', 'backbone model of a kNN head (default: the one the head names)')
    .requiredOption('-i, --input <file>', 'raw input tensor bytes')
    .requiredOption('-o, --output <file>', 'where to write the raw output tensor bytes')
    .action(async (o) => {
      const classifier = await loadClassifier(o.model, { modelDir: o.modelDir, backbone: o.backbone });
      const model = classifier.backbone;
      const t = model.input;
      const n = numElements(t.shape);
      const bytes = new Uint8Array(await readFile(o.input));
      const need = n * bytesPerElement(t.dtype);
      if (bytes.length !== need) {
        throw new ShapeError(
          `input '${o.input}' has ${bytes.length} bytes; model input '${t.name}' ${t.dtype}${shapeToString(t.shape)} needs ${need}`,
        );
      }
      const x = fromBytes(t.dtype, bytes, n);
      const isModel = (classifier as Model) === model;
      const out = isModel ? model.run(x)[0]! : classifier.scoresForInput(x);
      await writeFile(o.output, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      const what = isModel ? `'${model.output.name}' ${model.output.dtype}${shapeToString(model.output.shape)}` : `scores float32[1,${out.length}]`;
      console.error(`wrote ${out.byteLength} bytes: ${what} -> ${o.output}`);
    });
}
