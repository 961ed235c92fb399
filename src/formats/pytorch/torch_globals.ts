import { ModelFormatError } from '../../errors.js';
import type { NamedDType } from '../named_tensor.js';
import type { PyGlobal, UnpicklerHooks } from './pickle.js';

/** Storage classes named in torch pickles and the dtype each holds (undefined: known but unsupported). */
const STORAGE_DTYPES: Record<string, NamedDType | undefined> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  ComplexFloatStorage: undefined,
  ComplexDoubleStorage: undefined,
  QInt8Storage: undefined,
  QUInt8Storage: undefined,
  QInt32Storage: undefined,
  QUInt4x2Storage: undefined,
  QUInt2x4Storage: undefined,
};

/** A storage class named by a persistent id. */
export interface StorageType extends PyGlobal {
  readonly storageName: string;
  readonly dtype?: NamedDType;
}

/** A reference to (part of) a serialized storage, resolved to bytes once the whole file is read. */
export interface StorageRef {
  readonly kind: 'storage';
  readonly key: string;
  readonly storageName: string;
  readonly dtype?: NamedDType;
  /** Element offset into the root storage (legacy views). */
  readonly elementOffset: number;
  readonly numel: number;
}

/** A tensor as the pickle describes it: a strided view into a storage. */
export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: number[];
  readonly stride: number[];
}

/** True for a tensor produced by the rebuild functions. */
export function isTensorRef(v: unknown): v is TensorRef {
  return typeof v === 'object' && v !== null && (v as TensorRef).kind === 'tensor';
}

function intList(v: unknown, what: string, source: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
    throw new ModelFormatError(`${source}: tensor ${what} is not a list of non-negative integers`);
  }
  return v as number[];
}

function rebuildTensor(args: unknown[], source: string): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!(typeof storage === 'object' && storage !== null && (storage as StorageRef).kind === 'storage')) {
    throw new ModelFormatError(`${source}: tensor rebuilt from something that is not a storage`);
  }
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new ModelFormatError(`${source}: bad tensor storage offset ${String(offset)}`);
  }
  const shape = intList(size, 'size', source);
  const strides = intList(stride, 'stride', source);
  if (shape.length !== strides.length) {
    throw new ModelFormatError(`${source}: tensor size [${shape}] and stride [${strides}] differ in rank`);
  }
  return { kind: 'tensor', storage: storage as StorageRef, offset, shape, stride: strides };
}

/**
 * Unpickler hooks for torch.save files: only the names below are recognised, and none is executed;
 * any other global is refused with its name.
 */
export function torchHooks(source: string, persistentLoad: (pid: unknown) => unknown): UnpicklerHooks {
  const g = (module: string, name: string, call?: (args: unknown[]) => unknown): PyGlobal => ({
    kind: 'global',
    module,
    name,
    call,
  });
  return {
    persistentLoad,
    findClass(module: string, name: string): PyGlobal {
      const full = `${module}.${name}`;
      if (module === 'torch' && name in STORAGE_DTYPES) {
        const st: StorageType = { ...g(module, name), storageName: name, dtype: STORAGE_DTYPES[name] };
        return st;
      }
      switch (full) {
        case 'collections.OrderedDict':
          return g(module, name, (args) => {
            const m = new Map<unknown, unknown>();
            if (Array.isArray(args[0])) for (const kv of args[0]) if (Array.isArray(kv)) m.set(kv[0], kv[1]);
            return m;
          });
        case 'torch._utils._rebuild_tensor':
        case 'torch._utils._rebuild_tensor_v2':
          return g(module, name, (args) => rebuildTensor(args, source));
        case 'torch._utils._rebuild_parameter':
        case 'torch._utils._rebuild_parameter_with_state':
          return g(module, name, (args) => args[0]);
        case 'torch._tensor._rebuild_from_type_v2':
          return g(module, name, (args) => {
            const [fn, , inner] = args as [PyGlobal, unknown, unknown[]];
            if (!fn || typeof fn.call !== 'function' || !Array.isArray(inner)) {
              throw new ModelFormatError(`${source}: malformed _rebuild_from_type_v2 call`);
            }
            return fn.call(inner);
          });
        case 'torch.Tensor':
        case 'torch.nn.parameter.Parameter':
        case 'torch._tensor.Tensor':
          return g(module, name);
        case 'torch.serialization._get_layout':
          return g(module, name, (args) => String(args[0]));
        case 'torch.device':
          return g(module, name, (args) => String(args[0]));
      }
      if (module === 'torch' && /Storage$/.test(name)) {
        throw new ModelFormatError(`${source}: unsupported storage type ${full}`);
      }
      throw new ModelFormatError(
        `${source}: the pickle refers to ${full}, which is not allowed in a state dict (only tensors, ` +
          `OrderedDict and plain Python values are read; nothing is executed)`,
      );
    },
  };
}

/** Bytes per element of a storage dtype. */
export function storageElementSize(dtype: NamedDType): number {
  switch (dtype) {
    case 'float64':
    case 'int64':
      return 8;
    case 'float32':
    case 'int32':
      return 4;
    case 'float16':
    case 'bfloat16':
    case 'int16':
      return 2;
    default:
      return 1;
  }
}

/** Reads a persistent id tuple ('storage', type, key, location, numel[, view]) into a StorageRef. */
export function storageRefFromPid(pid: unknown, source: string): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
    throw new ModelFormatError(`${source}: unrecognised persistent id ${JSON.stringify(String(pid))}`);
  }
  const [, type, key, , numel, view] = pid as [string, StorageType, unknown, unknown, unknown, unknown];
  if (!type || typeof type.storageName !== 'string') {
    throw new ModelFormatError(`${source}: storage "${String(key)}" has no storage type`);
  }
  if (typeof numel !== 'number') throw new ModelFormatError(`${source}: storage "${String(key)}" has no size`);
  const ref: StorageRef = {
    kind: 'storage',
    key: String(key),
    storageName: type.storageName,
    dtype: type.dtype,
    elementOffset: 0,
    numel,
  };
  if (Array.isArray(view)) {
    const [, offset, size] = view as [unknown, number, number];
    return { ...ref, elementOffset: offset, numel: size };
  }
  return ref;
}
