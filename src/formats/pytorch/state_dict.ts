import { ModelFormatError } from '../../errors.js';
import type { NamedTensor } from '../named_tensor.js';
import { readLegacyCheckpoint } from './legacy.js';
import { materialize, type StorageLoader } from './materialize.js';
import { unpickle } from './pickle.js';
import { isTensorRef, storageRefFromPid, torchHooks } from './torch_globals.js';
import { ZipArchive } from './zip.js';

/** What `torch.save` wrote, before its tensors are gathered. */
export interface RawCheckpoint {
  root: unknown;
  load: StorageLoader;
  bigEndian: boolean;
  /** 'zip' (torch >= 1.6) or 'legacy'. */
  container: 'zip' | 'legacy';
}

/** A state dict read from a checkpoint, with notes on what was unwrapped or skipped. */
export interface TorchCheckpoint {
  stateDict: Map<string, NamedTensor>;
  container: 'zip' | 'legacy';
  notes: string[];
}

/** Keys under which training scripts commonly nest the model's state dict. */
const WRAPPER_KEYS = ['state_dict', 'model_state_dict', 'model', 'state_dict_ema', 'model_ema', 'net', 'module'];

/**
 * Reads a PyTorch state dict saved by `torch.save` (zip container of torch >= 1.6, or the legacy
 * container), without executing anything: only tensors, OrderedDict and plain values are accepted.
 * Tensors keep PyTorch's layout (conv weights OIHW); views are gathered into contiguous arrays.
 * @throws ModelFormatError for a truncated or corrupt file, a missing storage, an unsupported dtype
 *   or a pickle that refers to anything else.
 */
export function readTorchStateDict(bytes: Uint8Array, source = 'PyTorch checkpoint'): Map<string, NamedTensor> {
  return readTorchCheckpoint(bytes, source).stateDict;
}

/**
 * Like {@link readTorchStateDict}, also unwrapping `{'state_dict': ...}`-style checkpoints and the
 * `module.` prefix of DataParallel, and reporting what it did in `notes`.
 */
export function readTorchCheckpoint(bytes: Uint8Array, source = 'PyTorch checkpoint'): TorchCheckpoint {
  // A plain view: subclasses such as Node's Buffer make slice() a view rather than a copy.
  const raw = openCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), source);
  const notes: string[] = [];
  const dict = findStateDict(raw.root, notes, source, '');
  const stateDict = new Map<string, NamedTensor>();
  const skipped: string[] = [];
  for (const [k, v] of dict) {
    if (typeof k !== 'string') throw new ModelFormatError(`${source}: state dict key ${String(k)} is not a string`);
    if (isTensorRef(v)) stateDict.set(k, materialize(v, k, raw.load, source, raw.bigEndian));
    else skipped.push(k);
  }
  if (skipped.length) notes.push(`skipped ${skipped.length} non-tensor entries: ${skipped.slice(0, 5).join(', ')}`);
  if (stateDict.size === 0) throw new ModelFormatError(`${source}: the checkpoint holds no tensors`);
  const keys = [...stateDict.keys()];
  if (keys.every((k) => k.startsWith('module.'))) {
    notes.push('stripped the "module." prefix (DataParallel)');
    const stripped = new Map<string, NamedTensor>();
    for (const [k, v] of stateDict) stripped.set(k.slice('module.'.length), v);
    return { stateDict: stripped, container: raw.container, notes };
  }
  return { stateDict, container: raw.container, notes };
}

/** Unpickles a checkpoint's object tree, with lazily loaded storages. */
export function openCheckpoint(bytes: Uint8Array, source: string): RawCheckpoint {
  if (ZipArchive.isZip(bytes)) return openZip(bytes, source);
  if (bytes.length > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar') {
    throw new ModelFormatError(`${source}: tar-format checkpoint (torch < 0.4) is not supported; re-save it`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x80) return readLegacyCheckpoint(bytes, source);
  throw new ModelFormatError(`${source}: not a PyTorch checkpoint (neither a ZIP archive nor a pickle)`);
}

function openZip(bytes: Uint8Array, source: string): RawCheckpoint {
  const zip = new ZipArchive(bytes, source);
  const names = [...zip.entries.keys()];
  const pkl = names.find((n) => /^[^/]+\/data\.pkl$/.test(n)) ?? names.find((n) => n.endsWith('data.pkl'));
  if (!pkl) {
    const ts = names.some((n) => n.endsWith('constants.pkl') || /\/code\//.test(n));
    throw new ModelFormatError(
      ts
        ? `${source}: this is a TorchScript archive, not a state dict; save model.state_dict() instead`
        : `${source}: ZIP archive has no data.pkl entry (entries: ${names.slice(0, 5).join(', ')})`,
    );
  }
  const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
  let bigEndian = false;
  if (zip.entries.has(prefix + 'byteorder')) {
    const order = new TextDecoder().decode(zip.read(prefix + 'byteorder')).trim();
    if (order !== 'little' && order !== 'big') throw new ModelFormatError(`${source}: unknown byteorder "${order}"`);
    bigEndian = order === 'big';
  }
  const cache = new Map<string, Uint8Array>();
  const load: StorageLoader = (key) => {
    let b = cache.get(key);
    if (!b) {
      const entry = `${prefix}data/${key}`;
      if (!zip.entries.has(entry)) throw new ModelFormatError(`${source}: missing storage entry "${entry}"`);
      b = zip.read(entry);
      cache.set(key, b);
    }
    return b;
  };
  const hooks = torchHooks(`${source} (${pkl})`, (pid) => storageRefFromPid(pid, source));
  const { value } = unpickle(zip.read(pkl), hooks, 0, `${source} (${pkl})`);
  return { root: value, load, bigEndian, container: 'zip' };
}

function findStateDict(v: unknown, notes: string[], source: string, path: string): Map<unknown, unknown> {
  if (!(v instanceof Map)) {
    throw new ModelFormatError(`${source}: ${path || 'the top-level object'} is not a dict of tensors`);
  }
  const hasTensors = [...v.values()].some(isTensorRef);
  if (!hasTensors) {
    for (const key of WRAPPER_KEYS) {
      const inner = v.get(key);
      if (inner instanceof Map) {
        notes.push(`unwrapped the state dict from the checkpoint's "${key}" entry`);
        return findStateDict(inner, notes, source, `${path}["${key}"]`);
      }
    }
    const keys = [...v.keys()].slice(0, 8).map(String).join(', ');
    throw new ModelFormatError(`${source}: ${path || 'the top-level dict'} holds no tensors (keys: ${keys})`);
  }
  return v;
}
