import { MobilenetError } from '../../errors.js';

/** Architecture family: MobileNetV1, V2, or V3 in its Large / Small forms. */
export type Family = 'v1' | 'v2' | 'v3-large' | 'v3-small';

/**
 * Which reference implementation the graph mirrors.
 * - `slim`: TensorFlow's TF-slim nets (the TFLite / TF Hub checkpoints): 1001 classes (0 = background),
 *   SAME padding, 1×1-conv logits, softmax output.
 * - `torchvision`: torchvision.models: 1000 classes, symmetric padding k//2, Linear classifier, logits output.
 */
export type Layout = 'slim' | 'torchvision';

/** A MobileNet variant, as parsed from a name or written by hand. */
export interface ModelSpec {
  family: Family;
  /** Width multiplier (TF-slim's depth_multiplier, torchvision's width_mult). */
  alpha: number;
  /** Square input resolution in pixels. */
  resolution: number;
  /** V3 minimalistic variant: no squeeze-excite, ReLU instead of hard-swish, 3×3 kernels only (TF-slim only). */
  minimal: boolean;
  layout: Layout;
  /** Output classes; defaults to 1001 for `slim`, 1000 for `torchvision`. */
  numClasses?: number;
  /** Append a SOFTMAX to the logits; defaults to true for `slim` (its Predictions output), false for `torchvision`. */
  softmax?: boolean;
}

/** Smallest and largest accepted input resolutions (the networks downsample by 32). */
export const MIN_RESOLUTION = 32;
export const MAX_RESOLUTION = 2048;

/**
 * Parses a variant name. Grammar (case-insensitive):
 *
 * ```
 * name    := family "-" alpha "-" res [ "-" layout ]
 * family  := "v1" | "v2" | "v3-large" | "v3-small" | "v3-large-minimal" | "v3-small-minimal"
 * alpha   := decimal > 0, e.g. 0.25 | 0.35 | 0.5 | 0.75 | 1.0 | 1.3 | 1.4
 * res     := integer 32..2048, e.g. 96 | 128 | 160 | 192 | 224
 * layout  := "slim" (default) | "tv" | "torchvision"
 * ```
 *
 * Examples: `v1-0.5-160`, `v2-1.4-224`, `v2-1.0-224-tv`, `v3-small-1.0-224`, `v3-large-minimal-1.0-224`.
 * V1 and the minimalistic V3 variants exist only in the TF-slim layout.
 *
 * @throws MobilenetError naming the part of the name that is wrong.
 */
export function parseVariant(name: string): ModelSpec {
  const m = /^(v1|v2|v3-large|v3-small)(-minimal)?-([0-9]*\.?[0-9]+)-([0-9]+)(?:-(slim|tv|torchvision))?$/i.exec(
    name.trim(),
  );
  if (!m) {
    throw new MobilenetError(
      `unknown model "${name}": expected <family>-<alpha>-<resolution>[-tv], ` +
        `family one of v1, v2, v3-large, v3-small, v3-large-minimal, v3-small-minimal (e.g. v2-1.0-224, v3-small-1.0-224-tv)`,
    );
  }
  const family = m[1]!.toLowerCase() as Family;
  const layoutPart = (m[5] ?? 'slim').toLowerCase();
  const spec: ModelSpec = {
    family,
    alpha: Number(m[3]),
    resolution: Number(m[4]),
    minimal: m[2] !== undefined,
    layout: layoutPart === 'slim' ? 'slim' : 'torchvision',
  };
  validateSpec(spec, name);
  return spec;
}

/** The canonical name of a spec (inverse of {@link parseVariant}). */
export function variantName(spec: ModelSpec): string {
  const family = spec.minimal ? `${spec.family}-minimal` : spec.family;
  return `${family}-${alphaText(spec.alpha)}-${spec.resolution}${spec.layout === 'torchvision' ? '-tv' : ''}`;
}

/** A width multiplier as variant names write it: `1.0`, `0.75`. */
export function alphaText(alpha: number): string {
  return Number.isInteger(alpha) ? alpha.toFixed(1) : String(alpha);
}

/**
 * Checks a spec for values no builder accepts.
 * @throws MobilenetError naming the bad field and `where` (the variant name or "spec").
 */
export function validateSpec(spec: ModelSpec, where = 'spec'): void {
  const fail = (what: string): never => {
    throw new MobilenetError(`${where}: ${what}`);
  };
  if (!['v1', 'v2', 'v3-large', 'v3-small'].includes(spec.family)) fail(`unknown family "${spec.family}"`);
  if (spec.layout !== 'slim' && spec.layout !== 'torchvision') fail(`unknown layout "${String(spec.layout)}"`);
  if (!Number.isFinite(spec.alpha) || spec.alpha <= 0 || spec.alpha > 4) {
    fail(`width multiplier (alpha) must be in (0, 4], got ${spec.alpha}`);
  }
  if (!Number.isInteger(spec.resolution) || spec.resolution < MIN_RESOLUTION || spec.resolution > MAX_RESOLUTION) {
    fail(`resolution must be an integer in ${MIN_RESOLUTION}..${MAX_RESOLUTION}, got ${spec.resolution}`);
  }
  if (spec.minimal && !spec.family.startsWith('v3')) fail('only MobileNetV3 has minimalistic variants');
  if (spec.layout === 'torchvision' && spec.family === 'v1') {
    fail('torchvision has no MobileNetV1; use the TF-slim layout (drop the -tv suffix)');
  }
  if (spec.layout === 'torchvision' && spec.minimal) {
    fail('the minimalistic MobileNetV3 variants exist only in the TF-slim layout (drop the -tv suffix)');
  }
  if (spec.numClasses !== undefined && (!Number.isInteger(spec.numClasses) || spec.numClasses < 1)) {
    fail(`numClasses must be a positive integer, got ${spec.numClasses}`);
  }
}

/** Number of output classes of a spec (its own, or the layout's default). */
export function classesOf(spec: ModelSpec): number {
  return spec.numClasses ?? (spec.layout === 'slim' ? 1001 : 1000);
}

/** Whether the graph ends in a SOFTMAX (the spec's own choice, or the layout's default). */
export function softmaxOf(spec: ModelSpec): boolean {
  return spec.softmax ?? spec.layout === 'slim';
}
