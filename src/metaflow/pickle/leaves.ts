/**
 * Repr text of the values that have no children to walk: scalars, strings, dates, numpy
 * values and the objects we describe in one piece. Containers are laid out by layout.ts.
 */
import { dateRepr, dateTimeHead, timeDeltaRepr, timeHead, timeZoneRepr } from './datetime';
import { pyFloatRepr } from './floats';
import { dtypeText, ndarrayDescription, ndarrayPreview, ndarrayRepr, scalarRepr, scalarTypeName } from './numpy-format';
import { exceptionWrapperFields, exceptionWrapperRepr, genericObjectRepr, namedTupleFields, uuidRepr } from './objects';
import { dataFrameSummary } from './pandas';
import { bytesRepr, LazyText, plainText, reprStrText, strRepr } from './text-repr';
import { className, globalName, PyGlobal, PyNdArray, PyObject, PyValue } from './value';

/** Builtins that are classes; other lowercase builtins are functions (`getattr`, `print` …). */
const BUILTIN_TYPES = new Set([
  'bool', 'bytearray', 'bytes', 'complex', 'dict', 'float', 'frozenset', 'int', 'list', 'memoryview',
  'object', 'range', 'set', 'slice', 'str', 'tuple', 'type',
]);

/**
 * A class or function reference. Python's repr of a function includes its address, so none can
 * match exactly; a capitalised last name is taken for a class, as Python style has it.
 */
function globalRepr(value: PyGlobal): string {
  const name = globalName(value) as string;
  const isClass = /^[A-Z]/.test(name.slice(name.lastIndexOf('.') + 1));
  if (name.startsWith('builtins.')) {
    const builtin = name.slice('builtins.'.length);
    return BUILTIN_TYPES.has(builtin) || isClass ? `<class '${builtin}'>` : `<built-in function ${builtin}>`;
  }
  return isClass ? `<class '${name}'>` : `<function ${name}>`;
}

export function isClassReference(value: PyGlobal): boolean {
  return globalRepr(value).startsWith('<class');
}

/** Python's complex repr: no parentheses for a pure imaginary with a +0 real part. */
function complexRepr(real: number, imag: number): string {
  const im = pyFloatRepr(imag, false);
  if (real === 0 && !Object.is(real, -0)) return `${im}j`;
  const signed = /^[-]/.test(im) ? im : `+${im}`;
  return `(${pyFloatRepr(real, false)}${signed}j)`;
}

/** Kinds whose repr is one short text: what may appear inside numpy object arrays and pandas labels. */
const SIMPLE_KINDS = new Set(['none', 'bool', 'int', 'float', 'complex', 'str', 'bytes', 'decimal', 'fraction', 'date', 'timedelta']);
const MAX_SIMPLE_LENGTH = 10_000;

/** The repr of a simple value (see SIMPLE_KINDS), or null. Never recurses into containers. */
function simpleRepr(value: PyValue): string | null {
  if (!SIMPLE_KINDS.has(value.kind)) return null;
  const text = leafText(value);
  return text && text.length <= MAX_SIMPLE_LENGTH ? text.head(text.length) : null;
}

/** `str(value)` of a simple value: strings as they are, the rest as their repr. */
function simpleStr(value: PyValue): string | null {
  return value.kind === 'str' ? value.value : simpleRepr(value);
}

function objectText(object: PyObject): string | null {
  if (namedTupleFields(object)) return null;
  const fields = exceptionWrapperFields(object);
  if (fields) return exceptionWrapperRepr(fields);
  return uuidRepr(object) ?? dataFrameSummary(object, simpleStr) ?? genericObjectRepr(object);
}

/** The repr of a value without children (long texts lazily), else null. */
export function leafRepr(value: PyValue): string | LazyText | null {
  switch (value.kind) {
    case 'none':
      return 'None';
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'int':
      return value.value.toString();
    case 'float':
      return pyFloatRepr(value.value);
    case 'complex':
      return complexRepr(value.real, value.imag);
    case 'str':
      return strRepr(value.value);
    case 'bytes':
      return bytesRepr(value.value, value.mutable);
    case 'global':
      return globalRepr(value);
    case 'member': {
      const owner = value.owner.kind === 'global' ? value.owner.name : className(value.owner);
      return `<${owner}.${value.name}>`;
    }
    case 'object':
      return objectText(value);
    case 'date':
      return dateRepr(value);
    case 'datetime':
      return value.tzinfo ? null : `${dateTimeHead(value)}${value.fold ? ', fold=1' : ''})`;
    case 'time':
      return value.tzinfo ? null : `${timeHead(value)}${value.fold ? ', fold=1' : ''})`;
    case 'timedelta':
      return timeDeltaRepr(value);
    case 'timezone':
      return timeZoneRepr(value, reprStrText);
    case 'decimal':
      return `Decimal('${value.text}')`;
    case 'fraction':
      return `Fraction(${value.numerator}, ${value.denominator})`;
    case 'range':
      return value.step === 1n ? `range(${value.start}, ${value.stop})` : `range(${value.start}, ${value.stop}, ${value.step})`;
    case 'ndarray':
      return ndarrayRepr(value, simpleRepr) ?? ndarrayDescription(value);
    case 'dtype':
      return dtypeText(value);
    case 'npscalar':
      return scalarRepr(value) ?? `<numpy.${scalarTypeName(value)} scalar>`;
    case 'buffer':
      return `<pickle.PickleBuffer (out-of-band${value.readonly ? ', read-only' : ''})>`;
    default:
      return null;
  }
}

/** An array previewed on its own rather than inside a container: with its shape and dtype. */
export function arrayPreviewText(value: PyNdArray): string {
  return ndarrayPreview(value, simpleRepr);
}

/** `leafRepr` as a LazyText. */
export function leafText(value: PyValue): LazyText | null {
  const text = leafRepr(value);
  return typeof text === 'string' ? plainText(text) : text;
}

const BIG = 2n ** 64n;

/**
 * Whether a leaf's text costs more to build than to remember: long strings, huge ints, arrays,
 * objects. A value shared a million times (billion laughs) is then measured once.
 */
export function worthCaching(value: PyValue): boolean {
  switch (value.kind) {
    case 'str':
    case 'bytes':
      return value.value.length > 64;
    case 'int':
      return value.value > BIG || value.value < -BIG;
    case 'object':
    case 'ndarray':
    case 'npscalar':
    case 'dtype':
    case 'datetime':
    case 'time':
      return true;
    default:
      return false;
  }
}
