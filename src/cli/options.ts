import { InvalidArgumentError } from 'commander';
import type { ResizeConvention } from '../graph/index.js';

/** Parses a positive integer option. */
export function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${value}' is not a positive integer`);
  return n;
}

/** Parses `--resize central-crop[:fraction] | resize | resize-crop[:fraction]`. */
export function resizeOption(value: string): ResizeConvention {
  const [mode, frac] = value.split(':');
  if (mode !== 'central-crop' && mode !== 'resize' && mode !== 'resize-crop') {
    throw new InvalidArgumentError(`'${value}' is not central-crop, resize or resize-crop`);
  }
  const cropFraction = frac === undefined ? undefined : Number(frac);
  if (cropFraction !== undefined && !(cropFraction > 0 && cropFraction <= 1)) {
    throw new InvalidArgumentError(`crop fraction '${frac}' is not in (0, 1]`);
  }
  return { mode, cropFraction };
}
