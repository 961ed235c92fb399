import { ModelFormatError } from '../../errors.js';
import { halfToFloat, type NamedTensor } from '../named_tensor.js';

/** One weight entry of a `weightsManifest` group. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

/** One group of the manifest: its shard files and the weights packed into them, in order. */
export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** Reads and checks the `weightsManifest` of a model.json. */
export function parseManifest(m: unknown, source: string): WeightGroup[] {
  if (!Array.isArray(m)) throw new ModelFormatError(`${source}: weightsManifest is not a list`);
  return m.map((g, gi) => {
    const where = `${source}: weightsManifest[${gi}]`;
    if (typeof g !== 'object' || g === null) throw new ModelFormatError(`${where} is not an object`);
    const { paths, weights } = g as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) {
      throw new ModelFormatError(`${where}.paths is not a list of file names`);
    }
    if (!Array.isArray(weights)) throw new ModelFormatError(`${where}.weights is not a list`);
    for (const [wi, w] of weights.entries()) {
      const ok =
        typeof w === 'object' && w !== null && typeof w.name === 'string' && typeof w.dtype === 'string' &&
        Array.isArray(w.shape) && w.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0);
      if (!ok) throw new ModelFormatError(`${where}.weights[${wi}] needs a name, a dtype and a shape of non-negative integers`);
    }
    return { paths: paths as string[], weights: weights as WeightSpec[] };
  });
}

function storedBytes(w: WeightSpec, source: string): number {
  const n = w.shape.reduce((a, b) => a * b, 1);
  const q = w.quantization?.dtype;
  if (q === 'uint8') return n;
  if (q === 'uint16' || q === 'float16') return 2 * n;
  if (q !== undefined) throw new ModelFormatError(`${source}: weight "${w.name}" has unsupported quantization dtype ${q}`);
  if (w.dtype === 'float32' || w.dtype === 'int32') return 4 * n;
  if (w.dtype === 'bool') return n;
  throw new ModelFormatError(`${source}: weight "${w.name}" has unsupported dtype ${w.dtype}`);
}

/**
 * Decodes one group's weights from its shards (concatenated in manifest order); quantized weights
 * (uint8 / uint16 affine, float16) are dequantised to float32.
 */
export function decodeGroup(group: WeightGroup, shards: Uint8Array[], source: string, out: Map<string, NamedTensor>): void {
  const total = shards.reduce((a, s) => a + s.length, 0);
  const need = group.weights.reduce((a, w) => a + storedBytes(w, source), 0);
  if (total !== need) {
    const sizes = group.paths.map((p, i) => `${p}: ${shards[i]?.length ?? 0} bytes`).join(', ');
    throw new ModelFormatError(
      `${source}: weight shard size mismatch for ${group.paths.join(' + ')} (${sizes}); the manifest's ` +
        `${group.weights.length} weights need ${need} bytes, the shards hold ${total}`,
    );
  }
  const buf = new Uint8Array(total);
  let o = 0;
  for (const s of shards) buf.set(s, o), (o += s.length);
  const dv = new DataView(buf.buffer);
  let p = 0;
  for (const w of group.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const q = w.quantization;
    let t: NamedTensor;
    if (q?.dtype === 'float16') {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = halfToFloat(dv.getUint16(p + 2 * i, true));
      t = { dtype: 'float32', shape: w.shape, data };
    } else if (q) {
      if (typeof q.scale !== 'number' || typeof q.min !== 'number') {
        throw new ModelFormatError(`${source}: quantized weight "${w.name}" lacks a numeric scale and min`);
      }
      const data = new Float32Array(n);
      const wide = q.dtype === 'uint16';
      for (let i = 0; i < n; i++) data[i] = (wide ? dv.getUint16(p + 2 * i, true) : buf[p + i]) * q.scale + q.min;
      if (w.dtype === 'int32') {
        t = { dtype: 'int32', shape: w.shape, data: Int32Array.from(data, Math.round) };
      } else {
        t = { dtype: 'float32', shape: w.shape, data };
      }
    } else if (w.dtype === 'float32') {
      t = { dtype: 'float32', shape: w.shape, data: new Float32Array(buf.slice(p, p + 4 * n).buffer) };
    } else if (w.dtype === 'int32') {
      t = { dtype: 'int32', shape: w.shape, data: new Int32Array(buf.slice(p, p + 4 * n).buffer) };
    } else {
      t = { dtype: 'bool', shape: w.shape, data: buf.slice(p, p + n) };
    }
    if (out.has(w.name)) throw new ModelFormatError(`${source}: weight "${w.name}" appears twice in the manifest`);
    out.set(w.name, t);
    p += storedBytes(w, source);
  }
}
