/**
 * The fixed whitelist of callables whose effect we reproduce as data (REDUCE, NEWOBJ, INST,
 * OBJ). Each entry reads its arguments and returns a value, or null when the arguments are not
 * the shape Python's pickler writes; then, like every callable not listed here, the call
 * becomes an inert `PyObject`. Nothing is ever looked up by name beyond this table.
 */
import { buildDate, buildDateTime, buildTime, buildTimeDelta, buildTimeZone } from './datetime';
import { NUMPY_CONSTRUCTORS } from './numpy-values';
import { DictFlavor, globalName, newObject, PyDict, PyGlobal, PyValue } from './value';

type Constructor = (args: PyValue[], callee: PyGlobal) => PyValue | null;

function toNumber(value: PyValue | undefined): number | null {
  if (value?.kind === 'float') return value.value;
  if (value?.kind === 'int') return Number(value.value);
  if (value?.kind === 'bool') return value.value ? 1 : 0;
  return null;
}

function toBigInt(value: PyValue | undefined): bigint | null {
  if (value?.kind === 'int') return value.value;
  if (value?.kind === 'bool') return value.value ? 1n : 0n;
  return null;
}

function sequenceItems(value: PyValue | undefined): PyValue[] | null {
  if (value?.kind === 'list' || value?.kind === 'tuple' || value?.kind === 'set') return value.items;
  return null;
}

function isLatin1Name(value: PyValue | undefined): boolean {
  return value?.kind === 'str' && ['latin1', 'latin-1', 'iso-8859-1'].includes(value.value.toLowerCase());
}

/** Python 3 pickles bytes for protocols < 3 as `_codecs.encode(text, 'latin1')`. */
function latin1Bytes(text: PyValue | undefined): Uint8Array | null {
  if (text?.kind !== 'str' || !/^[\0-\xff]*$/.test(text.value)) return null;
  return Uint8Array.from(text.value, (c) => c.charCodeAt(0));
}

function dict(flavor: DictFlavor, entries: [PyValue, PyValue][], factory: PyValue | null = null): PyDict {
  return { kind: 'dict', entries, flavor, factory };
}

function pairs(value: PyValue | undefined): [PyValue, PyValue][] | null {
  if (value?.kind === 'dict') return [...value.entries];
  const items = sequenceItems(value);
  if (!items) return null;
  const out: [PyValue, PyValue][] = [];
  for (const item of items) {
    const pair = sequenceItems(item);
    if (pair?.length !== 2) return null;
    out.push([pair[0], pair[1]]);
  }
  return out;
}

function fraction(args: PyValue[]): PyValue | null {
  let numerator: bigint | null;
  let denominator: bigint | null;
  if (args.length === 1 && args[0].kind === 'str') {
    // Python before 3.11 pickled the text form, `n/d` or `n`.
    const match = /^\s*([+-]?\d+)(?:\/(\d+))?\s*$/.exec(args[0].value);
    if (!match) return null;
    [numerator, denominator] = [BigInt(match[1]), BigInt(match[2] ?? '1')];
  } else if (args.length === 2) {
    [numerator, denominator] = [toBigInt(args[0]), toBigInt(args[1])];
  } else {
    return null;
  }
  if (numerator === null || denominator === null || denominator === 0n) return null;
  // Python pickles Fractions already in lowest terms; a crafted one is shown as written.
  const sign = denominator < 0n ? -1n : 1n;
  return { kind: 'fraction', numerator: numerator * sign, denominator: denominator * sign };
}

const DECIMAL_TEXT = /^[+-]?((\d+(\.\d*)?|\.\d+)(E[+-]?\d+)?|Infinity|s?NaN\d*)$/i;

const BUILTINS: Record<string, Constructor> = {
  'builtins.complex': (args) => {
    if (args.length > 2) return null;
    const real = args.length > 0 ? toNumber(args[0]) : 0;
    const imag = args.length > 1 ? toNumber(args[1]) : 0;
    return real === null || imag === null ? null : { kind: 'complex', real, imag };
  },
  'builtins.bytes': (args) => {
    if (args.length === 0) return { kind: 'bytes', value: new Uint8Array(0), mutable: false };
    return args.length === 1 && args[0].kind === 'bytes' ? { ...args[0], mutable: false } : null;
  },
  '_codecs.encode': (args) => {
    const bytes = args.length === 2 && isLatin1Name(args[1]) ? latin1Bytes(args[0]) : null;
    return bytes && { kind: 'bytes', value: bytes, mutable: false };
  },
  'builtins.bytearray': (args) => {
    if (args.length === 0) return { kind: 'bytes', value: new Uint8Array(0), mutable: true };
    if (args.length === 1 && args[0].kind === 'bytes') return { kind: 'bytes', value: args[0].value, mutable: true };
    const bytes = args.length === 2 && isLatin1Name(args[1]) ? latin1Bytes(args[0]) : null;
    return bytes && { kind: 'bytes', value: bytes, mutable: true };
  },
  'builtins.set': (args) => setOf(args, false),
  'builtins.frozenset': (args) => setOf(args, true),
  'builtins.range': (args) => {
    const values = args.map(toBigInt);
    if (args.length < 1 || args.length > 3 || values.some((v) => v === null)) return null;
    const [a, b, c] = values as bigint[];
    const [start, stop, step] = args.length === 1 ? [0n, a, 1n] : [a, b, c ?? 1n];
    return step === 0n ? null : { kind: 'range', start, stop, step };
  },
  'builtins.slice': (args) => {
    const none: PyValue = { kind: 'none' };
    if (args.length < 1 || args.length > 3) return null;
    const [start, stop, step] = args.length === 1 ? [none, args[0], none] : [args[0], args[1], args[2] ?? none];
    return { kind: 'slice', start, stop, step };
  },
  'builtins.getattr': (args) => {
    const [owner, name] = args;
    return args.length === 2 && name.kind === 'str' ? { kind: 'member', owner, name: name.value } : null;
  },
  'collections.OrderedDict': (args) => {
    const entries = args.length === 0 ? [] : args.length === 1 ? pairs(args[0]) : null;
    return entries && dict('OrderedDict', entries);
  },
  'collections.defaultdict': (args) => {
    const entries = args.length === 2 ? pairs(args[1]) : [];
    return args.length <= 2 && entries ? dict('defaultdict', entries, args[0] ?? { kind: 'none' }) : null;
  },
  'collections.Counter': (args) => {
    const entries = args.length === 0 ? [] : args.length === 1 ? pairs(args[0]) : null;
    return entries && dict('Counter', entries);
  },
  'decimal.Decimal': (args) => {
    const [text] = args;
    return args.length === 1 && text.kind === 'str' && DECIMAL_TEXT.test(text.value) ? { kind: 'decimal', text: text.value } : null;
  },
  'fractions.Fraction': fraction,
  'datetime.datetime': buildDateTime,
  'datetime.date': buildDate,
  'datetime.time': buildTime,
  'datetime.timedelta': buildTimeDelta,
  'datetime.timezone': buildTimeZone,
};

function setOf(args: PyValue[], frozen: boolean): PyValue | null {
  const items = args.length === 0 ? [] : args.length === 1 ? sequenceItems(args[0]) : null;
  return items && { kind: 'set', items: [...items], frozen };
}

const CONSTRUCTORS = new Map<string, Constructor>([...Object.entries(BUILTINS), ...Object.entries(NUMPY_CONSTRUCTORS)]);

/** A table lookup that never re-enters copyreg's helpers, so nesting them cannot recurse. */
function construct(callable: PyValue, args: PyValue[], kwargs: PyValue | null): PyValue {
  const name = globalName(callable);
  const ctor = name === null ? undefined : CONSTRUCTORS.get(name);
  const noKwargs = kwargs === null || (kwargs.kind === 'dict' && kwargs.entries.length === 0);
  const value = ctor && noKwargs ? ctor(args, callable as PyGlobal) : null;
  return value ?? newObject(callable, args, noKwargs ? null : kwargs);
}

/**
 * What calling `callable(*args, **kwargs)` (or `cls.__new__(cls, *args)`) would produce, as
 * inert data. copyreg's helpers are unwrapped once: they are how protocols 0–1 spell NEWOBJ.
 */
export function callGlobal(callable: PyValue, args: PyValue[], kwargs: PyValue | null = null): PyValue {
  switch (globalName(callable)) {
    case 'copyreg._reconstructor': {
      const [cls, , state] = args;
      if (args.length !== 3) break;
      return construct(cls, state.kind === 'none' ? [] : [state], null);
    }
    case 'copyreg.__newobj__':
      if (args.length >= 1) return construct(args[0], args.slice(1), null);
      break;
    case 'copyreg.__newobj_ex__': {
      const [cls, positional, keywords] = args;
      if (args.length === 3 && positional.kind === 'tuple') return construct(cls, positional.items, keywords);
      break;
    }
  }
  return construct(callable, args, kwargs);
}

