#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { MobilenetError } from '../errors.js';
import { enableRelaxedSimd } from '../kernels/wasm/features.js';

type Register = (program: Command) => void;

/** Each subcommand's module, imported only when that subcommand runs (or for help), in help order. */
const COMMANDS: [string, () => Promise<Register>][] = [
  ['classify', async () => (await import('./commands/classify.js')).registerClassify],
  ['run', async () => (await import('./commands/run.js')).registerRun],
  ['eval', async () => (await import('./commands/eval.js')).registerEval],
  ['models', async () => (await import('./commands/models.js')).registerModels],
  ['info', async () => (await import('./commands/info.js')).registerInfo],
  ['embed', async () => (await import('./commands/embed.js')).registerEmbed],
  ['bench', async () => (await import('./commands/bench.js')).registerBench],
  ['train', async () => (await import('./commands/train.js')).registerTrain],
  ['serve-web', async () => (await import('./commands/serve_web.js')).registerServeWeb],
];

// The CLI owns its process: float kernels get fused multiply-add where the engine has relaxed SIMD (behind a V8 flag
// before Node 22). MOBILENET_RELAXED_SIMD=0 keeps plain SIMD128.
if (process.env.MOBILENET_RELAXED_SIMD !== '0') enableRelaxedSimd();

const program = new Command('mobilenet')
  .description('MobileNet image classification: classify, run, evaluate')
  .exitOverride()
  .showHelpAfterError(false);

const name = process.argv.slice(2).find((a) => !a.startsWith('-'));
const wanted = COMMANDS.filter(([n]) => n === name);

try {
  for (const [, load] of wanted.length ? wanted : COMMANDS) (await load())(program);
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
