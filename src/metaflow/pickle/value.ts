/**
 * The inert value tree a pickle decodes to. Nothing here can run code: classes and functions
 * are names (`PyGlobal`), and instances of classes we do not model are `PyObject` records of
 * what the pickle said (class, constructor arguments, state).
 *
 * Containers are mutable while decoding (APPEND, SETITEM, BUILD …) and may share children or
 * contain themselves, exactly as the pickle's memo makes them: the tree is a graph.
 */

export type PyValue =
  | PyNone
  | PyBool
  | PyInt
  | PyFloat
  | PyComplex
  | PyStr
  | PyBytes
  | PyList
  | PyTuple
  | PyDict
  | PySet
  | PyGlobal
  | PyMember
  | PyObject
  | PyDateTime
  | PyDate
  | PyTime
  | PyTimeDelta
  | PyTimeZone
  | PyDecimal
  | PyFraction
  | PyRange
  | PySlice
  | PyNdArray
  | PyDType
  | PyNumpyScalar
  | PyBuffer;

export interface PyNone {
  kind: 'none';
}
export interface PyBool {
  kind: 'bool';
  value: boolean;
}
export interface PyInt {
  kind: 'int';
  value: bigint;
}
export interface PyFloat {
  kind: 'float';
  value: number;
}
export interface PyComplex {
  kind: 'complex';
  real: number;
  imag: number;
}
export interface PyStr {
  kind: 'str';
  value: string;
}
/** `bytes`, or `bytearray` when `mutable`. */
export interface PyBytes {
  kind: 'bytes';
  value: Uint8Array;
  mutable: boolean;
}
export interface PyList {
  kind: 'list';
  items: PyValue[];
}
export interface PyTuple {
  kind: 'tuple';
  items: PyValue[];
}

/** The dict-like classes whose repr we reproduce; anything else is a `PyObject`. */
export type DictFlavor = 'dict' | 'OrderedDict' | 'Counter' | 'defaultdict';

/**
 * Entries in insertion order. Keys are not de-duplicated: pickles written by Python never
 * repeat a key, and a crafted one that does is shown as written.
 */
export interface PyDict {
  kind: 'dict';
  entries: [PyValue, PyValue][];
  flavor: DictFlavor;
  /** `default_factory` of a defaultdict (None when unset). */
  factory: PyValue | null;
}

/** Items in pickle order, which is the writer's iteration order (Python's repr order). */
export interface PySet {
  kind: 'set';
  items: PyValue[];
  frozen: boolean;
}

/** A class or function named by GLOBAL / STACK_GLOBAL, never resolved. */
export interface PyGlobal {
  kind: 'global';
  module: string;
  name: string;
}

/** `getattr(owner, name)`: how Python 3.12+ pickles enum members. */
export interface PyMember {
  kind: 'member';
  owner: PyValue;
  name: string;
}

/** An instance of a class we do not interpret: what the pickle said about it. */
export interface PyObject {
  kind: 'object';
  cls: PyValue;
  args: PyValue[];
  kwargs: PyValue | null;
  /** BUILD argument: usually the instance `__dict__`, or `(dict, slots)`. */
  state: PyValue | null;
  /** APPEND/ADDITEMS into a list- or set-like object. */
  listItems: PyValue[];
  /** SETITEM into a dict-like object. */
  dictItems: [PyValue, PyValue][];
}

export interface PyDateTime {
  kind: 'datetime';
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  fold: number;
  tzinfo: PyValue | null;
}
export interface PyDate {
  kind: 'date';
  year: number;
  month: number;
  day: number;
}
export interface PyTime {
  kind: 'time';
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  fold: number;
  tzinfo: PyValue | null;
}
/** Normalised like Python: 0 <= seconds < 86400, 0 <= microseconds < 1e6. */
export interface PyTimeDelta {
  kind: 'timedelta';
  days: number;
  seconds: number;
  microseconds: number;
}
export interface PyTimeZone {
  kind: 'timezone';
  offset: PyTimeDelta;
  name: string | null;
}
/** The canonical `str(Decimal)` text the pickle carries. */
export interface PyDecimal {
  kind: 'decimal';
  text: string;
}
export interface PyFraction {
  kind: 'fraction';
  numerator: bigint;
  denominator: bigint;
}
export interface PyRange {
  kind: 'range';
  start: bigint;
  stop: bigint;
  step: bigint;
}
export interface PySlice {
  kind: 'slice';
  start: PyValue;
  stop: PyValue;
  step: PyValue;
}

/**
 * A numpy array. `shape`, `dtype` and `data` arrive with BUILD after the empty array is made,
 * so they stay null when the pickle never sends them. `data` is bytes (raw buffer), a list
 * (object arrays) or an out-of-band buffer marker.
 */
export interface PyNdArray {
  kind: 'ndarray';
  cls: PyValue;
  shape: number[] | null;
  dtype: PyValue | null;
  fortran: boolean;
  data: PyValue | null;
  /** 1 for `numpy.core…` names (numpy 1.x wrote it), 2 for `numpy._core…`: repr details differ. */
  numpyMajor: 1 | 2;
}
/** `numpy.dtype(code, …)` plus its BUILD state (byte order, item size, fields). */
export interface PyDType {
  kind: 'dtype';
  code: string;
  state: PyValue | null;
}
export interface PyNumpyScalar {
  kind: 'npscalar';
  dtype: PyValue;
  data: PyValue;
  numpyMajor: 1 | 2;
}
/** A protocol-5 out-of-band buffer: its bytes are not in the pickle. */
export interface PyBuffer {
  kind: 'buffer';
  readonly: boolean;
}

export const PY_NONE: PyNone = Object.freeze({ kind: 'none' });
export const PY_TRUE: PyBool = Object.freeze({ kind: 'bool', value: true });
export const PY_FALSE: PyBool = Object.freeze({ kind: 'bool', value: false });

export function pyInt(value: bigint | number): PyInt {
  return { kind: 'int', value: BigInt(value) };
}

export function pyStr(value: string): PyStr {
  return { kind: 'str', value };
}

export function newObject(cls: PyValue, args: PyValue[], kwargs: PyValue | null = null): PyObject {
  return { kind: 'object', cls, args, kwargs, state: null, listItems: [], dictItems: [] };
}

// Python 3 writes Python 2 names for protocols 0-2 and maps them back when reading
// (Lib/_compat_pickle.py); these are the ones that can name builtins and copyreg.
const PY2_MODULES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg', exceptions: 'builtins' };
const PY2_NAMES: Record<string, string> = {
  'builtins.xrange': 'builtins.range',
  'builtins.unichr': 'builtins.chr',
  'builtins.unicode': 'builtins.str',
  'builtins.long': 'builtins.int',
  'itertools.izip': 'builtins.zip',
  'itertools.imap': 'builtins.map',
  'itertools.ifilter': 'builtins.filter',
};

/** `module.name` of a global, with Python 2 names mapped as Python 3's unpickler does. */
export function globalName(value: PyValue): string | null {
  if (value.kind !== 'global') return null;
  const name = `${PY2_MODULES[value.module] ?? value.module}.${value.name}`;
  return Object.hasOwn(PY2_NAMES, name) ? PY2_NAMES[name] : name;
}

/** The class name of an object as Python prints it (`module.Name`, builtins without module). */
export function className(cls: PyValue): string {
  const name = globalName(cls);
  if (name === null) return 'object';
  return name.startsWith('builtins.') ? name.slice('builtins.'.length) : name;
}
