import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelSearchPath } from '../../models/zoo.js';
import { startWebServer } from '../../web/server.js';

function portOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`'${value}' is not a port number (0-65535)`);
  return n;
}

/** The built page, dist/web: beside the bundled CLI (dist/node/*.js) or the compiled one (dist/src/cli/commands). */
const HERE = dirname(fileURLToPath(import.meta.url));
const BUILT_PAGE = basename(HERE) === 'commands' ? resolve(HERE, '..', '..', '..', 'web') : resolve(HERE, '..', 'web');

/** `mobilenet serve-web`: serves the browser page, the bundle and local models. */
export function registerServeWeb(program: Command): void {
  program
    .command('serve-web')
    .description('serve the browser page (classify images in the browser) with the models of a folder')
    .option('--port <n>', 'port to listen on (0 picks a free one)', portOption, 8080)
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--model-dir <dir>', 'folder of .tflite models to offer (default: the first existing model directory)')
    .option('--web-dir <dir>', 'built page folder (npm run build:web)', BUILT_PAGE)
    .action(async (o: { port: number; host: string; modelDir?: string; webDir: string }) => {
      const modelDir = o.modelDir ?? modelSearchPath().find((d) => existsSync(d));
      const server = await startWebServer({ webDir: o.webDir, modelDir, port: o.port, host: o.host });
      console.log(`serving ${server.url} (models from ${modelDir ?? 'nowhere: pass --model-dir'}); Ctrl-C stops`);
      await new Promise<void>((done) => {
        const stop = () => void server.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
