import { ModelFormatError } from '../../errors.js';

/**
 * A global (class or function) named by a pickle. The unpickler never looks anything up by name:
 * the `findClass` hook maps allowed names to these objects, and only their `call` runs.
 */
export interface PyGlobal {
  readonly kind: 'global';
  readonly module: string;
  readonly name: string;
  /** Applied by REDUCE / NEWOBJ to the argument tuple. */
  call?: (args: unknown[]) => unknown;
}

/** A Python tuple (kept apart from lists so callers can tell them apart when they care). */
export type PyTuple = readonly unknown[];

/** Hooks that give the pickle's names and persistent ids their meaning. */
export interface UnpicklerHooks {
  findClass(module: string, name: string): PyGlobal;
  persistentLoad?(pid: unknown): unknown;
}

/** State handed to BUILD on a dict-like object (OrderedDict's `_metadata`), kept for inspection. */
export const BUILD_STATE = Symbol('pickle.buildState');

/**
 * Unpickles one pickle (protocols 0–5, the opcodes PyTorch and plain data use) starting at `offset`.
 * Returns the value and the offset just past its STOP opcode.
 */
export function unpickle(
  bytes: Uint8Array,
  hooks: UnpicklerHooks,
  offset = 0,
  source = 'pickle',
): { value: unknown; end: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  let p = offset;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (msg: string): never => {
    throw new ModelFormatError(`${source}: ${msg} (at byte ${p})`);
  };
  const need = (n: number): void => {
    if (p + n > bytes.length) fail(`truncated pickle: needs ${n} more bytes, ${bytes.length - p} left`);
  };
  const u8 = (): number => (need(1), bytes[p++]);
  const u16 = (): number => (need(2), (p += 2), dv.getUint16(p - 2, true));
  const u32 = (): number => (need(4), (p += 4), dv.getUint32(p - 4, true));
  const i32 = (): number => (need(4), (p += 4), dv.getInt32(p - 4, true));
  const u64 = (): number => {
    need(8);
    const v = dv.getBigUint64(p, true);
    p += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${v} out of range`);
    return Number(v);
  };
  const take = (n: number): Uint8Array => {
    need(n);
    p += n;
    return bytes.subarray(p - n, p);
  };
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, p);
    if (nl < 0) fail('truncated pickle: missing end of line');
    const s = latin1.decode(bytes.subarray(p, nl));
    p = nl + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('pickle stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('pickle stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (!prev) fail('pickle MARK missing');
    stack = prev!;
    return items;
  };
  // popMark() replaces `stack`, so results are pushed onto the stack as it is after the call.
  const pushValue = (v: unknown): void => {
    stack.push(v);
  };
  const decodeLong = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const call = (fn: unknown, args: unknown, op: string): unknown => {
    if (!isGlobal(fn) || !fn.call) fail(`${op} on an object that cannot be called (${describe(fn)})`);
    if (!Array.isArray(args)) fail(`${op} arguments for ${(fn as PyGlobal).module}.${(fn as PyGlobal).name} are not a tuple`);
    return (fn as PyGlobal).call!(args as unknown[]);
  };
  const setItem = (d: unknown, k: unknown, v: unknown): void => {
    if (!(d instanceof Map)) fail(`SETITEM on a ${describe(d)}`);
    (d as Map<unknown, unknown>).set(k, v);
  };
  const appendTo = (l: unknown, items: unknown[]): void => {
    if (!Array.isArray(l)) fail(`APPEND on a ${describe(l)}`);
    (l as unknown[]).push(...items);
  };
  const persistent = (pid: unknown): unknown => {
    if (!hooks.persistentLoad) fail('persistent id found but no persistent loader is set');
    return hooks.persistentLoad!(pid);
  };

  for (;;) {
    const at = p;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        return { value: pop(), end: p };
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(decodeLong(take(u32())));
        break;
      case 0x49: {
        // INT (text); "00"/"01" are False/True
        const s = line();
        stack.push(s === '00' ? false : s === '01' ? true : parseIntText(s, fail));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(parseIntText(line().replace(/L$/, ''), fail));
        break;
      case 0x46: // FLOAT (text)
        stack.push(parseFloat(line()));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(dv.getFloat64(p, false));
        p += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text.decode(take(u64())));
        break;
      case 0x54: // BINSTRING (Python 2 str)
        stack.push(latin1.decode(take(i32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64()).slice());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x74: // TUPLE
        pushValue(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x6c: // LIST
        pushValue(popMark());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const d = new Map<unknown, unknown>();
        for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
        pushValue(d);
        break;
      }
      case 0x91: // FROZENSET
        pushValue(new Set(popMark()));
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail(`ADDITEMS on a ${describe(s)}`);
        for (const it of items) (s as Set<unknown>).add(it);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        appendTo(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendTo(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItem(top(), k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = top();
        for (let i = 0; i + 1 < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x70: // PUT (text)
        memo.set(parseIntText(line(), fail) as number, top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: {
        // GET (text)
        const k = op === 0x68 ? u8() : op === 0x6a ? u32() : (parseIntText(line(), fail) as number);
        if (!memo.has(k)) fail(`pickle memo key ${k} not found`);
        stack.push(memo.get(k));
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(hooks.findClass(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(hooks.findClass(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(call(fn, args, 'REDUCE'));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args, 'NEWOBJ'));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj === null || typeof obj !== 'object') fail(`BUILD on a ${describe(obj)}`);
        Object.defineProperty(obj, BUILD_STATE, { value: state, enumerable: false, configurable: true });
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistent(pop()));
        break;
      case 0x50: // PERSID (text)
        stack.push(persistent(line()));
        break;
      default:
        p = at;
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

function parseIntText(s: string, fail: (m: string) => never): number | bigint {
  if (!/^-?\d+$/.test(s.trim())) fail(`bad integer literal "${s}"`);
  const v = BigInt(s.trim());
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** True for a value produced by `findClass`. */
export function isGlobal(v: unknown): v is PyGlobal {
  return typeof v === 'object' && v !== null && (v as PyGlobal).kind === 'global';
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (isGlobal(v)) return `${v.module}.${v.name}`;
  if (Array.isArray(v)) return 'list/tuple';
  if (v instanceof Map) return 'dict';
  return typeof v;
}
