import { ModelFormatError } from '../errors.js';
import type { Graph } from '../graph/index.js';
import type { NamedTensor } from '../formats/named_tensor.js';
import { toFloat32 } from '../formats/named_tensor.js';
import { buildMobilenet, makeDivisible } from './builders/index.js';
import type { ModelSpec } from './builders/index.js';

/** torchvision's ImageNet preprocessing on the 0..255 scale: mean and std of (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225). */
export const TORCHVISION_NORMALIZATION = {
  mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
  std: [0.229 * 255, 0.224 * 255, 0.225 * 255],
};

const COMMON_ALPHAS = [1.0, 0.75, 0.5, 0.35, 1.4, 1.3, 0.25];
/** Widths tried when inferring a checkpoint's width multiplier: the published ones first, then a 0.05 grid. */
const ALPHAS = [...COMMON_ALPHAS, ...Array.from({ length: 60 }, (_, i) => Math.round((i + 1) * 5) / 100).filter((a) => !COMMON_ALPHAS.includes(a))];

/** Which torchvision MobileNet a state dict holds, from its last `features.N` block. */
function familyOf(sd: Map<string, NamedTensor>): ModelSpec['family'] | undefined {
  let last = -1;
  for (const k of sd.keys()) {
    const m = /^features\.(\d+)\./.exec(k);
    if (m) last = Math.max(last, Number(m[1]));
  }
  return last === 18 ? 'v2' : last === 16 ? 'v3-large' : last === 12 ? 'v3-small' : undefined;
}

interface Probe {
  missing: string[];
  misshaped: string[];
  used: Set<string>;
}

function probe(spec: ModelSpec, sd: Map<string, NamedTensor>, fill: boolean): { graph?: Graph; p: Probe } {
  const p: Probe = { missing: [], misshaped: [], used: new Set() };
  const graph = buildMobilenet(spec, (name, shape) => {
    const t = sd.get(name);
    const n = shape.reduce((a, b) => a * b, 1);
    p.used.add(name);
    if (!t) p.missing.push(name);
    else if (t.shape.join(',') !== shape.join(',')) p.misshaped.push(`${name} is [${t.shape}] (expected [${shape}])`);
    else if (fill) return toFloat32(t);
    return new Float32Array(n);
  });
  return { graph, p };
}

/**
 * Builds the torchvision MobileNet (V2, V3-Large, V3-Small) whose state dict this is, working out the
 * family from the block count and the width multiplier from the tensor shapes.
 * @throws ModelFormatError naming missing, extra or mis-shaped keys.
 */
export function graphFromTorchvisionStateDict(sd: Map<string, NamedTensor>, source: string, resolution = 224): Graph {
  const family = familyOf(sd);
  if (!family) {
    throw new ModelFormatError(
      `PyTorch checkpoint '${source}': not a torchvision mobilenet_v2 / mobilenet_v3_large / mobilenet_v3_small state dict ` +
        `(keys start: ${[...sd.keys()].slice(0, 4).join(', ')})`,
    );
  }
  const classes = sd.get(family === 'v2' ? 'classifier.1.weight' : 'classifier.3.weight')?.shape[0] ?? 1000;
  const base = { family, resolution, minimal: false, layout: 'torchvision' as const, numClasses: classes };
  let best: { alpha: number; p: Probe } | undefined;
  const stem = sd.get('features.0.0.weight')?.shape[0];
  const stemWidth = family === 'v2' ? 32 : 16;
  const candidates = ALPHAS.filter((a) => stem === undefined || makeDivisible(stemWidth * a, 8) === stem);
  for (const alpha of candidates.length ? candidates : ALPHAS) {
    const { p } = probe({ ...base, alpha }, sd, false);
    const bad = p.missing.length + p.misshaped.length;
    if (!best || bad < best.p.missing.length + best.p.misshaped.length) best = { alpha, p };
    if (bad === 0) break;
  }
  const { alpha, p } = best!;
  const extra = [...sd.keys()].filter((k) => !p.used.has(k) && !k.endsWith('num_batches_tracked'));
  const problems = [
    p.missing.length ? `missing keys: ${list(p.missing)}` : '',
    p.misshaped.length ? `mis-shaped: ${list(p.misshaped)}` : '',
    extra.length ? `unexpected keys: ${list(extra)}` : '',
  ].filter(Boolean);
  if (problems.length) {
    throw new ModelFormatError(
      `PyTorch checkpoint '${source}' does not match torchvision ${family} at any width (closest: width ${alpha}): ${problems.join('; ')}`,
    );
  }
  const graph = probe({ ...base, alpha }, sd, true).graph!;
  graph.meta = {
    ...graph.meta,
    format: 'pytorch',
    name: `torchvision ${family} width ${alpha}`,
    normalization: TORCHVISION_NORMALIZATION,
    resize: { mode: 'resize-crop', cropFraction: 0.875 },
  };
  return graph;
}

function list(items: string[]): string {
  return items.length > 6 ? `${items.slice(0, 6).join(', ')} and ${items.length - 6} more` : items.join(', ');
}
