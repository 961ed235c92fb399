import type { Command } from 'commander';
import { MobilenetError } from '../../errors.js';
import type { Graph } from '../../graph/graph.js';
import { buildMobilenet, parseVariant } from '../../models/builders/index.js';
import { modelInfo, type ModelInfo } from '../../tasks/info.js';
import { loadGraph } from '../../tasks/load.js';

/**
 * The graph of a builder variant (`v2-1.0-224`, `v3-small-1.0-224-tv`, ...) or of a model file / zoo name.
 * @throws MobilenetError naming both ways of reading `model` when neither works.
 */
export async function resolveInfoGraph(model: string): Promise<Graph> {
  let variantError: MobilenetError;
  try {
    return buildMobilenet(parseVariant(model));
  } catch (e) {
    if (!(e instanceof MobilenetError)) throw e;
    variantError = e;
  }
  try {
    return (await loadGraph(model)).graph;
  } catch (e) {
    if (!(e instanceof MobilenetError)) throw e;
    throw new MobilenetError(`${variantError.message}; as a model file or zoo name: ${e.message}`);
  }
}

const millions = (n: number, digits: number): string => `${(n / 1e6).toFixed(digits)} M`;
const grouped = (n: number): string => n.toLocaleString('en-US');

/** Human-readable summary and per-layer table of a model. */
export function formatInfo(title: string, info: ModelInfo): string {
  const lines = [
    title,
    `  input            ${JSON.stringify(info.input_shape)}`,
    `  output           ${JSON.stringify(info.output_shape)}`,
    `  parameters       ${grouped(info.params)} (${millions(info.params, 2)}; weights without biases ${millions(info.weight_params, 2)})`,
  ];
  if (info.params_unfolded !== undefined) {
    lines.push(`  unfolded params  ${grouped(info.params_unfolded)} (batch-norm scale and shift counted, as frameworks do)`);
  }
  lines.push(
    `  MACs             ${millions(info.macs, 1)} (conv, depthwise, fully connected); other ops ${millions(info.other_ops, 2)}`,
    `  weight bytes     ${grouped(info.weight_bytes)}`,
    '',
  );
  const rows = info.layers.map((l, i) => [String(i), l.name, l.op, JSON.stringify(l.output_shape), l.params ? grouped(l.params) : '', l.macs ? (l.macs / 1e6).toFixed(2) : '']);
  const header = ['#', 'layer', 'op', 'output', 'params', 'MMACs'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const right = new Set([0, 4, 5]);
  const fmt = (r: string[]): string => r.map((v, c) => (right.has(c) ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ').trimEnd();
  lines.push(fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt));
  return lines.join('\n') + '\n';
}

/** Registers `mobilenet info <model> [--json]`: parameters, MACs, weight bytes, input size and a per-layer table. */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show parameters, multiply-accumulates, weight bytes and layers of a model')
    .argument('<model>', 'a builder variant (v2-1.0-224, v1-0.25-128, v3-small-1.0-224-tv), a zoo name or a model file')
    .option('--json', 'print one JSON object instead of tables')
    .action(async (model: string, opts: { json?: boolean }) => {
      try {
        const graph = await resolveInfoGraph(model);
        const info = modelInfo(graph);
        process.stdout.write(opts.json ? JSON.stringify({ model, ...info }) + '\n' : formatInfo(`${model}: ${graph.meta.description ?? graph.meta.name ?? ''}`, info));
      } catch (e) {
        if (!(e instanceof MobilenetError)) throw e;
        process.stderr.write(`mobilenet info: ${e.message}\n`);
        process.exitCode = 1;
      }
    });
}
