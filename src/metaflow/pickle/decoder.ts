/**
 * The pickle virtual machine of protocols 0–5, run over bytes into an inert `PyValue` graph.
 * It follows CPython's `_pickle.c` opcode by opcode, except that nothing is imported or
 * called: globals stay names and calls go through the data-only whitelist (constructors.ts).
 * Every loop is bounded by the input size or by `PickleLimits`.
 */
import { callGlobal } from './constructors';
import { PickleError } from './errors';
import { PickleLimits, resolveLimits } from './limits';
import { setArrayState } from './numpy-values';
import { OP, HIGHEST_PROTOCOL } from './opcodes';
import { ByteReader } from './reader';
import { decodeAscii, decodeRawUnicodeEscape, decodeStringLiteral, decodeUtf8, latin1, parseFloatText, parseIntText, parseLongText } from './text';
import { PY_FALSE, PY_NONE, PY_TRUE, PyValue, pyInt, pyStr } from './value';

/** Decodes a whole pickle (trailing bytes after STOP are ignored, as `pickle.loads` does). Throws PickleError. */
export function decodePickle(bytes: Uint8Array, limits?: Partial<PickleLimits>): PyValue {
  const resolved = resolveLimits(limits);
  if (!(bytes instanceof Uint8Array)) throw new PickleError('a pickle must be given as bytes');
  if (bytes.length > resolved.maxInputBytes) {
    throw new PickleError(`pickle of ${bytes.length} bytes exceeds the ${resolved.maxInputBytes}-byte limit`);
  }
  return new Unpickler(bytes, resolved).load();
}

/** Two's complement, little-endian: how LONG1 and LONG4 store ints. */
function decodeLong(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let hex = '';
  for (let i = bytes.length - 1; i >= 0; i--) hex += bytes[i].toString(16).padStart(2, '0');
  const value = BigInt(`0x${hex}`);
  return bytes[bytes.length - 1] & 0x80 ? value - (1n << BigInt(8 * bytes.length)) : value;
}

class Unpickler {
  private stack: PyValue[] = [];
  private readonly marks: PyValue[][] = [];
  private readonly memo = new Map<number, PyValue>();
  private readonly reader: ByteReader;
  private operations = 0;

  constructor(bytes: Uint8Array, private readonly limits: PickleLimits) {
    this.reader = new ByteReader(bytes);
  }

  load(): PyValue {
    for (;;) {
      if (++this.operations > this.limits.maxOperations) {
        throw new PickleError(`pickle needs more than ${this.limits.maxOperations} operations`);
      }
      const op = this.reader.u8();
      if (op === OP.STOP) return this.pop();
      this.execute(op);
    }
  }

  private push(value: PyValue): void {
    this.stack.push(value);
  }

  private pop(): PyValue {
    const value = this.stack.pop();
    if (value === undefined) throw new PickleError('unpickling stack underflow');
    return value;
  }

  private top(): PyValue {
    const value = this.stack[this.stack.length - 1];
    if (value === undefined) throw new PickleError('unpickling stack underflow');
    return value;
  }

  private popMark(): PyValue[] {
    const items = this.stack;
    const previous = this.marks.pop();
    if (previous === undefined) throw new PickleError('could not find MARK');
    this.stack = previous;
    return items;
  }

  private popTuple(what: string): PyValue[] {
    const value = this.pop();
    if (value.kind !== 'tuple') throw new PickleError(`${what} arguments must be a tuple, not ${value.kind}`);
    return value.items;
  }

  private memoPut(id: number): void {
    if (!this.memo.has(id) && this.memo.size >= this.limits.maxMemoEntries) {
      throw new PickleError(`pickle memoizes more than ${this.limits.maxMemoEntries} values`);
    }
    this.memo.set(id, this.top());
  }

  private memoGet(id: number): PyValue {
    const value = this.memo.get(id);
    if (value === undefined) throw new PickleError(`memo value not found at index ${id}`);
    return value;
  }

  private memoIdLine(): number {
    const text = latin1(this.reader.line()).trim();
    if (!/^\d{1,15}$/.test(text)) throw new PickleError(`invalid memo index ${JSON.stringify(text.slice(0, 20))}`);
    return Number(text);
  }

  private textLine(): string {
    return decodeUtf8(this.reader.line());
  }

  /** The text opcodes' counterpart of maxIntBytes: a byte holds about 2.4 decimal digits. */
  private maxIntDigits(): number {
    return Math.ceil(this.limits.maxIntBytes * 2.5);
  }

  private long(length: number): bigint {
    if (length < 0) throw new PickleError('LONG pickle has negative byte count');
    if (length > this.limits.maxIntBytes) throw new PickleError(`int of ${length} bytes exceeds the ${this.limits.maxIntBytes}-byte limit`);
    return decodeLong(this.reader.take(length));
  }

  /** A view into the input, not a copy: values never outlive the caller's bytes by much. */
  private bytesValue(length: number, mutable = false): PyValue {
    return { kind: 'bytes', value: this.reader.take(length), mutable };
  }

  private execute(op: number): void {
    const r = this.reader;
    switch (op) {
      case OP.PROTO: {
        const version = r.u8();
        if (version > HIGHEST_PROTOCOL) throw new PickleError(`unsupported pickle protocol: ${version}`);
        return;
      }
      case OP.FRAME:
        // Frames only tell a reader how much to buffer; the length just has to be plausible.
        r.u64Length();
        return;
      case OP.MARK:
        this.marks.push(this.stack);
        this.stack = [];
        return;
      case OP.POP:
        if (this.stack.length > 0) this.stack.pop();
        else this.popMark();
        return;
      case OP.POP_MARK:
        this.popMark();
        return;
      case OP.DUP:
        this.push(this.top());
        return;

      case OP.NONE:
        return this.push(PY_NONE);
      case OP.NEWTRUE:
        return this.push(PY_TRUE);
      case OP.NEWFALSE:
        return this.push(PY_FALSE);
      case OP.INT: {
        const value = parseIntText(r.line(), this.maxIntDigits());
        return this.push(typeof value === 'boolean' ? (value ? PY_TRUE : PY_FALSE) : pyInt(value));
      }
      case OP.LONG:
        return this.push(pyInt(parseLongText(r.line(), this.maxIntDigits())));
      case OP.BININT:
        return this.push(pyInt(r.i32()));
      case OP.BININT1:
        return this.push(pyInt(r.u8()));
      case OP.BININT2:
        return this.push(pyInt(r.u16()));
      case OP.LONG1:
        return this.push(pyInt(this.long(r.u8())));
      case OP.LONG4:
        return this.push(pyInt(this.long(r.i32())));
      case OP.FLOAT:
        return this.push({ kind: 'float', value: parseFloatText(r.line()) });
      case OP.BINFLOAT:
        return this.push({ kind: 'float', value: r.f64be() });

      case OP.STRING:
        return this.push(pyStr(decodeAscii(decodeStringLiteral(r.line()))));
      case OP.BINSTRING:
        return this.push(pyStr(decodeAscii(r.take(r.i32()))));
      case OP.SHORT_BINSTRING:
        return this.push(pyStr(decodeAscii(r.take(r.u8()))));
      case OP.UNICODE:
        return this.push(pyStr(decodeRawUnicodeEscape(r.line())));
      case OP.BINUNICODE:
        return this.push(pyStr(decodeUtf8(r.take(r.u32()))));
      case OP.SHORT_BINUNICODE:
        return this.push(pyStr(decodeUtf8(r.take(r.u8()))));
      case OP.BINUNICODE8:
        return this.push(pyStr(decodeUtf8(r.take(r.u64Length()))));
      case OP.BINBYTES:
        return this.push(this.bytesValue(r.u32()));
      case OP.SHORT_BINBYTES:
        return this.push(this.bytesValue(r.u8()));
      case OP.BINBYTES8:
        return this.push(this.bytesValue(r.u64Length()));
      case OP.BYTEARRAY8:
        return this.push(this.bytesValue(r.u64Length(), true));
      case OP.NEXT_BUFFER:
        // The buffer travels outside the pickle: show that it exists, not what it holds.
        return this.push({ kind: 'buffer', readonly: false });
      case OP.READONLY_BUFFER: {
        const value = this.top();
        if (value.kind === 'buffer') this.stack[this.stack.length - 1] = { kind: 'buffer', readonly: true };
        return;
      }

      case OP.EMPTY_TUPLE:
        return this.push({ kind: 'tuple', items: [] });
      case OP.TUPLE:
        return this.push({ kind: 'tuple', items: this.popMark() });
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        if (this.stack.length < n) throw new PickleError('unpickling stack underflow');
        return this.push({ kind: 'tuple', items: this.stack.splice(this.stack.length - n, n) });
      }
      case OP.EMPTY_LIST:
        return this.push({ kind: 'list', items: [] });
      case OP.LIST:
        return this.push({ kind: 'list', items: this.popMark() });
      case OP.APPEND: {
        const value = this.pop();
        return this.append(this.top(), [value]);
      }
      case OP.APPENDS: {
        const items = this.popMark();
        return this.append(this.top(), items);
      }
      case OP.EMPTY_DICT:
        return this.push({ kind: 'dict', entries: [], flavor: 'dict', factory: null });
      case OP.DICT:
        return this.push({ kind: 'dict', entries: pairUp(this.popMark(), 'DICT'), flavor: 'dict', factory: null });
      case OP.SETITEM: {
        const value = this.pop();
        const key = this.pop();
        return this.setItems(this.top(), [[key, value]]);
      }
      case OP.SETITEMS: {
        const entries = pairUp(this.popMark(), 'SETITEMS');
        return this.setItems(this.top(), entries);
      }
      case OP.EMPTY_SET:
        return this.push({ kind: 'set', items: [], frozen: false });
      case OP.ADDITEMS: {
        const items = this.popMark();
        return this.addItems(this.top(), items);
      }
      case OP.FROZENSET:
        return this.push({ kind: 'set', items: this.popMark(), frozen: true });

      case OP.PUT:
        return this.memoPut(this.memoIdLine());
      case OP.BINPUT:
        return this.memoPut(r.u8());
      case OP.LONG_BINPUT:
        return this.memoPut(r.u32());
      case OP.MEMOIZE:
        return this.memoPut(this.memo.size);
      case OP.GET:
        return this.push(this.memoGet(this.memoIdLine()));
      case OP.BINGET:
        return this.push(this.memoGet(r.u8()));
      case OP.LONG_BINGET:
        return this.push(this.memoGet(r.u32()));

      case OP.GLOBAL: {
        const module = this.textLine();
        const name = this.textLine();
        return this.push({ kind: 'global', module, name });
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (module.kind !== 'str' || name.kind !== 'str') throw new PickleError('STACK_GLOBAL requires str');
        return this.push({ kind: 'global', module: module.value, name: name.value });
      }
      case OP.REDUCE: {
        const args = this.popTuple('REDUCE');
        return this.push(callGlobal(this.pop(), args));
      }
      case OP.NEWOBJ: {
        const args = this.popTuple('NEWOBJ');
        return this.push(callGlobal(this.pop(), args));
      }
      case OP.NEWOBJ_EX: {
        const kwargs = this.pop();
        const args = this.popTuple('NEWOBJ_EX');
        if (kwargs.kind !== 'dict') throw new PickleError('NEWOBJ_EX keyword arguments must be a dict');
        return this.push(callGlobal(this.pop(), args, kwargs));
      }
      case OP.INST: {
        const cls: PyValue = { kind: 'global', module: this.textLine(), name: this.textLine() };
        return this.push(callGlobal(cls, this.popMark()));
      }
      case OP.OBJ: {
        const [cls, ...args] = this.popMark();
        if (cls === undefined) throw new PickleError('OBJ without a class');
        return this.push(callGlobal(cls, args));
      }
      case OP.BUILD: {
        const state = this.pop();
        return build(this.top(), state);
      }

      case OP.PERSID:
      case OP.BINPERSID:
        throw new PickleError('the pickle refers to persistent ids, which need a persistent_load hook');
      case OP.EXT1:
      case OP.EXT2:
      case OP.EXT4: {
        const code = op === OP.EXT1 ? r.u8() : op === OP.EXT2 ? r.u16() : r.i32();
        throw new PickleError(`unregistered extension code ${code}`);
      }
      default:
        throw new PickleError(`invalid load key 0x${op.toString(16).padStart(2, '0')} at byte ${r.position - 1}`);
    }
  }

  private append(target: PyValue, items: PyValue[]): void {
    const into = target.kind === 'list' ? target.items : target.kind === 'object' ? target.listItems : null;
    if (!into) throw new PickleError(`cannot append to a ${target.kind}`);
    for (const item of items) into.push(item);
  }

  private addItems(target: PyValue, items: PyValue[]): void {
    const into = target.kind === 'set' && !target.frozen ? target.items : target.kind === 'object' ? target.listItems : null;
    if (!into) throw new PickleError(`cannot add items to a ${target.kind}`);
    for (const item of items) into.push(item);
  }

  private setItems(target: PyValue, entries: [PyValue, PyValue][]): void {
    const into = target.kind === 'dict' ? target.entries : target.kind === 'object' ? target.dictItems : null;
    if (!into) throw new PickleError(`cannot set items on a ${target.kind}`);
    for (const entry of entries) into.push(entry);
  }
}

function pairUp(items: PyValue[], what: string): [PyValue, PyValue][] {
  if (items.length % 2 !== 0) throw new PickleError(`odd number of items for ${what}`);
  const entries: [PyValue, PyValue][] = [];
  for (let i = 0; i < items.length; i += 2) entries.push([items[i], items[i + 1]]);
  return entries;
}

/** BUILD: objects we keep as records take the state; values we model fully ignore it. */
function build(target: PyValue, state: PyValue): void {
  if (target.kind === 'object' || target.kind === 'dtype') target.state = state;
  else if (target.kind === 'ndarray') setArrayState(target, state);
}
