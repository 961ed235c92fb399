import { ModelFormatError } from '../../errors.js';
import type { StorageLoader } from './materialize.js';
import { unpickle } from './pickle.js';
import type { RawCheckpoint } from './state_dict.js';
import { storageElementSize, storageRefFromPid, torchHooks, type StorageRef } from './torch_globals.js';

const MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/**
 * Reads the legacy container (`_use_new_zipfile_serialization=False`): pickles of the magic number,
 * protocol version and system info, the data pickle, the sorted storage keys, then each storage as
 * an int64 element count followed by its raw bytes.
 */
export function readLegacyCheckpoint(bytes: Uint8Array, source: string): RawCheckpoint {
  const plain = torchHooks(source, () => {
    throw new ModelFormatError(`${source}: unexpected persistent id in the legacy header`);
  });
  const magic = unpickle(bytes, plain, 0, `${source} (magic number)`);
  const m = magic.value;
  if (!(m === MAGIC || (typeof m === 'number' && BigInt(m) === MAGIC))) {
    throw new ModelFormatError(`${source}: a pickle, but not a torch.save file (no legacy magic number)`);
  }
  const proto = unpickle(bytes, plain, magic.end, `${source} (protocol version)`);
  if (proto.value !== PROTOCOL_VERSION) {
    throw new ModelFormatError(`${source}: unsupported legacy protocol version ${String(proto.value)}`);
  }
  const sys = unpickle(bytes, plain, proto.end, `${source} (system info)`);
  const info = sys.value instanceof Map ? sys.value : new Map();
  const bigEndian = info.get('little_endian') === false;

  const roots = new Map<string, StorageRef>();
  const hooks = torchHooks(source, (pid) => {
    const ref = storageRefFromPid(pid, source);
    const rootNumel = Array.isArray(pid) ? (pid as unknown[])[4] : undefined;
    if (!roots.has(ref.key)) roots.set(ref.key, { ...ref, elementOffset: 0, numel: Number(rootNumel) });
    return ref;
  });
  const data = unpickle(bytes, hooks, sys.end, `${source} (data)`);
  const keysPickle = unpickle(bytes, plain, data.end, `${source} (storage keys)`);
  const keys = keysPickle.value;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new ModelFormatError(`${source}: legacy storage key list is malformed`);
  }

  const storages = new Map<string, Uint8Array>();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = keysPickle.end;
  for (const key of keys as string[]) {
    const root = roots.get(key);
    if (!root) throw new ModelFormatError(`${source}: storage "${key}" is listed but never used`);
    if (!root.dtype) throw new ModelFormatError(`${source}: storage "${key}" has unsupported type torch.${root.storageName}`);
    if (p + 8 > bytes.length) {
      throw new ModelFormatError(`${source}: truncated before the size of storage "${key}" (at byte ${p})`);
    }
    const count = Number(dv.getBigInt64(p, !bigEndian));
    const nbytes = count * storageElementSize(root.dtype);
    p += 8;
    if (count < 0 || p + nbytes > bytes.length) {
      throw new ModelFormatError(
        `${source}: storage "${key}" is truncated (needs ${nbytes} bytes at ${p}, file has ${bytes.length})`,
      );
    }
    storages.set(key, bytes.subarray(p, p + nbytes));
    p += nbytes;
  }
  const load: StorageLoader = (key) => {
    const b = storages.get(key);
    if (!b) throw new ModelFormatError(`${source}: missing storage "${key}"`);
    return b;
  };
  return { root: data.value, load, bigEndian, container: 'legacy' };
}
