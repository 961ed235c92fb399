import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { bytesPerElement, fromBytes, numElements, shapeToString } from '../../graph/index.js';
import { ShapeError } from '../../errors.js';
import { loadModel } from '../../tasks/load.js';

/** `mobilenet run`: raw tensor bytes in, raw tensor bytes out. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a model on a raw input tensor (little-endian bytes, shape and dtype from the model)')
    .requiredOption('-m, --model <name|path>', 'zoo name or model file')
    .option('--model-dir <dir>', 'directory holding named models')
    .requiredOption('-i, --input <file>', 'raw input tensor bytes')
    .requiredOption('-o, --output <file>', 'where to write the raw output tensor bytes')
    .action(async (o) => {
      const model = await loadModel(o.model, { modelDir: o.modelDir });
      const t = model.input;
      const n = numElements(t.shape);
      const bytes = new Uint8Array(await readFile(o.input));
      const need = n * bytesPerElement(t.dtype);
      if (bytes.length !== need) {
        throw new ShapeError(
          `input '${o.input}' has ${bytes.length} bytes; model input '${t.name}' ${t.dtype}${shapeToString(t.shape)} needs ${need}`,
        );
      }
      const [out] = model.run(fromBytes(t.dtype, bytes, n));
      await writeFile(o.output, new Uint8Array(out!.buffer, out!.byteOffset, out!.byteLength));
      const ot = model.output;
      console.error(`wrote ${out!.byteLength} bytes: '${ot.name}' ${ot.dtype}${shapeToString(ot.shape)} -> ${o.output}`);
    });
}
