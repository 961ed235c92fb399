/** Parses bytes as JSON when they look like a JSON object (leading white space or BOM allowed); undefined otherwise. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09 || bytes[i] === 0xef || bytes[i] === 0xbb || bytes[i] === 0xbf)) i++;
  if (bytes[i] !== 0x7b) return undefined;
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
