#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { MobilenetError } from '../errors.js';
import { registerBench } from './commands/bench.js';
import { registerClassify } from './commands/classify.js';
import { registerEmbed } from './commands/embed.js';
import { registerEval } from './commands/eval.js';
import { registerInfo } from './commands/info.js';
import { registerModels } from './commands/models.js';
import { registerRun } from './commands/run.js';
import { registerServeWeb } from './commands/serve_web.js';
import { registerTrain } from './commands/train.js';

const program = new Command('mobilenet')
  .description('MobileNet image classification: classify, run, evaluate')
  .exitOverride()
  .showHelpAfterError(false);

registerClassify(program);
registerRun(program);
registerEval(program);
registerModels(program);
registerInfo(program);
registerEmbed(program);
registerBench(program);
registerTrain(program);
registerServeWeb(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode;
  } else if (e instanceof MobilenetError) {
    console.error(`mobilenet: ${e.message}`);
    process.exitCode = 1;
  } else if (e instanceof Error) {
    const sys = (e as NodeJS.ErrnoException).code;
    console.error(`mobilenet: ${e.message}${sys ? '' : ' (internal error; MOBILENET_DEBUG=1 prints the stack)'}`);
    if (process.env.MOBILENET_DEBUG) console.error(e.stack);
    process.exitCode = 1;
  } else {
    throw e;
  }
}
