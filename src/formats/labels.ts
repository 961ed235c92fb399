/**
 * Parses a class labels file: one label per line, trimmed, trailing empty lines dropped.
 * When every non-empty line starts with `N:` (as in `0:background`), that prefix is stripped.
 */
export function parseLabels(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/).map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const nonEmpty = lines.filter((l) => l !== '');
  if (nonEmpty.length > 0 && nonEmpty.every((l) => /^\d+:/.test(l))) {
    return lines.map((l) => l.replace(/^\d+:\s*/, ''));
  }
  return lines;
}
