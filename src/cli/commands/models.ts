import type { Command } from 'commander';
import { DEFAULT_MODEL, listZoo, modelSearchPath } from '../../models/zoo.js';

/** `mobilenet models`: the named models and where they were found. */
export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list named models and where they resolve')
    .option('--model-dir <dir>', 'directory holding named models')
    .action((o) => {
      console.log(`search path: ${modelSearchPath(o.modelDir).join(', ')}`);
      for (const { entry, path } of listZoo(o.modelDir)) {
        const mark = entry.name === DEFAULT_MODEL ? '*' : ' ';
        console.log(`${mark} ${entry.name.padEnd(24)} ${entry.description}\n    ${path ?? '(not found)'}`);
      }
    });
}
