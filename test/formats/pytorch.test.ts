import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { ModelFormatError } from '../../src/errors.js';
import { readTorchCheckpoint, readTorchStateDict } from '../../src/formats/pytorch/index.js';
import type { NamedTensor } from '../../src/formats/named_tensor.js';
import { ZipArchive } from '../../src/formats/pytorch/zip.js';
import { projectRoot } from '../helpers/data.js';

const dir = join(projectRoot, 'test', 'fixtures', 'torch');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

interface Digest {
  shape: number[];
  dtype: string;
  sum: number;
  first: number[];
}
interface Entry {
  name: string;
  files: { zip: string; legacy?: string };
  tensors: Record<string, Digest>;
}
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { models: Entry[]; extra: Entry[] };
const entries = [...index.models, ...index.extra];

function values(t: NamedTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

function checkDigests(sd: Map<string, NamedTensor>, e: Entry, file: string): void {
  assert.deepEqual([...sd.keys()], Object.keys(e.tensors), `${file}: keys`);
  for (const [key, d] of Object.entries(e.tensors)) {
    const t = sd.get(key)!;
    assert.deepEqual(t.shape, d.shape, `${file} ${key}: shape`);
    assert.equal(t.dtype, d.dtype.replace(/^float$/, 'float32'), `${file} ${key}: dtype`);
    const v = values(t);
    assert.equal(v.length, d.shape.reduce((a, b) => a * b, 1), `${file} ${key}: element count`);
    let sum = 0;
    for (const x of v) sum += x;
    assert.ok(Math.abs(sum - d.sum) <= 1e-6 * Math.max(1, Math.abs(d.sum)) + 1e-9 * v.length, `${file} ${key}: sum ${sum} vs ${d.sum}`);
    d.first.forEach((f, i) => assert.equal(v[i], f, `${file} ${key}[${i}]`));
  }
}

describe('readTorchStateDict on torch.save fixtures', () => {
  for (const e of entries) {
    for (const [container, file] of Object.entries(e.files)) {
      if (e.name === 'wrapped') continue;
      it(`${file} (${container}) has every key with the right shape, dtype and values`, () => {
        const ck = readTorchCheckpoint(fixture(file), file);
        assert.equal(ck.container, container);
        checkDigests(ck.stateDict, e, file);
      });
    }
  }

  it('reads a Node Buffer (a view into a shared pool) like a plain Uint8Array', () => {
    const file = 'mobilenet_v3_small_0.1.pt';
    const fromBuffer = readTorchStateDict(readFileSync(join(dir, file)));
    assert.deepEqual(fromBuffer, readTorchStateDict(fixture(file)));
    for (const name of ['dtypes.pt', 'dtypes.legacy.pt']) {
      assert.deepEqual(readTorchStateDict(readFileSync(join(dir, name))), readTorchStateDict(fixture(name)));
    }
  });

  it('legacy and zip containers give identical tensors', () => {
    for (const e of entries) {
      if (!e.files.legacy) continue;
      const a = readTorchStateDict(fixture(e.files.zip));
      const b = readTorchStateDict(fixture(e.files.legacy));
      assert.deepEqual([...a.keys()], [...b.keys()]);
      for (const [k, t] of a) assert.deepEqual(b.get(k), t, `${e.name} ${k}`);
    }
  });

  it('gathers views: transposed, sliced and strided tensors and shared storages', () => {
    const sd = readTorchStateDict(fixture('dtypes.pt'));
    const base = sd.get('f32_transposed')!; // base.t(): [6, 4] view of a [4, 6] tensor
    const slice = sd.get('f32_slice')!; // base[1:3, 2:5]
    const strided = sd.get('f32_strided')!; // base[:, ::2]
    const at = (r: number, c: number): number => (base.data as Float32Array)[c * 4 + r];
    for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) assert.equal(slice.data[r * 3 + c], at(r + 1, c + 2));
    for (let r = 0; r < 4; r++) for (let c = 0; c < 3; c++) assert.equal(strided.data[r * 3 + c], at(r, 2 * c));
    assert.deepEqual(Array.from(sd.get('shared_b')!.data as Float32Array), [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
    assert.deepEqual(sd.get('scalar')!.shape, []);
    assert.equal(sd.get('scalar')!.data[0], 3.5);
    assert.deepEqual(Array.from(sd.get('i64')!.data as BigInt64Array), [-3n, 0n, 2n ** 40n, 7n]);
    assert.deepEqual(Array.from(sd.get('bool')!.data as Uint8Array), [1, 0, 1]);
  });

  it('unwraps {state_dict: ...} checkpoints and strips the DataParallel prefix, with notes', () => {
    const e = index.extra.find((x) => x.name === 'wrapped')!;
    for (const file of Object.values(e.files)) {
      const ck = readTorchCheckpoint(fixture(file), file);
      checkDigests(ck.stateDict, e, file);
      assert.ok(ck.notes.some((n) => n.includes('"state_dict"')), ck.notes.join('; '));
      assert.ok(ck.notes.some((n) => n.includes('module.')), ck.notes.join('; '));
    }
  });

  it('accepts a deflated archive under another top-level folder', () => {
    const src = new ZipArchive(fixture('dtypes.pt'));
    const files: Record<string, Uint8Array> = {};
    for (const name of src.entries.keys()) files[name.replace(/^dtypes\//, 'renamed_ckpt/')] = src.read(name).slice();
    const zipped = zipSync(files, { level: 6 });
    assert.deepEqual(readTorchStateDict(zipped), readTorchStateDict(fixture('dtypes.pt')));
  });
});

describe('readTorchStateDict on bad input', () => {
  const zip = fixture('mobilenet_v3_small_0.1.pt');
  const legacy = fixture('mobilenet_v3_small_0.1.legacy.pt');

  it('rejects truncated zip and legacy files with ModelFormatError', () => {
    for (const [what, bytes] of [
      ['zip', zip],
      ['legacy', legacy],
    ] as const) {
      for (const frac of [0.02, 0.5, 0.99]) {
        const cut = bytes.subarray(0, Math.floor(bytes.length * frac));
        assert.throws(() => readTorchStateDict(cut, `cut-${what}`), ModelFormatError, `${what} cut at ${frac}`);
      }
    }
  });

  it('names a storage entry whose bytes are corrupt (CRC) or missing', () => {
    const src = new ZipArchive(zip);
    const entry = [...src.entries.keys()].find((n) => n.endsWith('/data/3'))!;
    const e = src.entries.get(entry)!;
    const dv = new DataView(zip.buffer, zip.byteOffset);
    const dataStart = e.localHeaderOffset + 30 + dv.getUint16(e.localHeaderOffset + 26, true) + dv.getUint16(e.localHeaderOffset + 28, true);
    const corrupt = zip.slice();
    corrupt[dataStart] ^= 0xff;
    assert.throws(() => readTorchStateDict(corrupt), (err: Error) => err instanceof ModelFormatError && err.message.includes(entry));

    const files: Record<string, Uint8Array> = {};
    for (const name of src.entries.keys()) if (name !== entry) files[name] = src.read(name).slice();
    assert.throws(
      () => readTorchStateDict(zipSync(files, { level: 0 })),
      (err: Error) => err instanceof ModelFormatError && err.message.includes(entry) && err.message.includes('missing'),
    );
  });

  it('refuses pickles that name other globals, without running anything', () => {
    // protocol 2: os.system('echo hi')
    const evil = new Uint8Array([
      0x80, 0x02, ...new TextEncoder().encode('cos\nsystem\n'), 0x58, 7, 0, 0, 0,
      ...new TextEncoder().encode('echo hi'), 0x85, 0x52, 0x2e,
    ]);
    const files = { 'archive/data.pkl': evil, 'archive/version': new TextEncoder().encode('3\n') };
    assert.throws(
      () => readTorchStateDict(zipSync(files, { level: 0 })),
      (err: Error) => err instanceof ModelFormatError && err.message.includes('os.system'),
    );
  });

  it('rejects files that are neither a zip nor a pickle, and a TorchScript archive', () => {
    assert.throws(() => readTorchStateDict(new TextEncoder().encode('hello world')), ModelFormatError);
    assert.throws(() => readTorchStateDict(new Uint8Array(0)), ModelFormatError);
    const ts = zipSync({ 'model/code/__torch__.py': new Uint8Array(1), 'model/constants.pkl': new Uint8Array(1) });
    assert.throws(() => readTorchStateDict(ts), /TorchScript/);
  });

  it('names the key of a tensor with an unsupported dtype', () => {
    const src = new ZipArchive(fixture('dtypes.pt'));
    const pkl = src.read('dtypes/data.pkl');
    const text = new TextDecoder('latin1').decode(pkl);
    const at = text.indexOf('HalfStorage');
    assert.ok(at > 0);
    // GLOBAL names are newline-terminated text, so the replacement may be longer.
    const patched = new Uint8Array([...pkl.subarray(0, at), ...new TextEncoder().encode('QInt8Storage'), ...pkl.subarray(at + 11)]);
    const files: Record<string, Uint8Array> = {};
    for (const name of src.entries.keys()) files[name] = name.endsWith('data.pkl') ? patched : src.read(name).slice();
    assert.throws(() => readTorchStateDict(zipSync(files, { level: 0 })), (err: Error) => err instanceof ModelFormatError && err.message.includes('"f16"') && err.message.includes('QInt8Storage'));
  });
});
