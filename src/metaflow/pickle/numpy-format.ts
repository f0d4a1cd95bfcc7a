/**
 * numpy's array repr (numpy/core/arrayprint.py, default print options: 75 columns, 8 digits
 * of precision, summarised beyond 1000 items with 3 edge items) for bool, integer, float32/64,
 * str, bytes and object arrays of simple values. Other arrays, and arrays whose data does not
 * add up, get a one-line description instead.
 */
import { pyFloatRepr, roundToFraction, roundToSignificant, shortestDigits, shortestDigitsFloat32, Digits } from './floats';
import { DTypeInfo, dtypeInfo, dtypeIsImplied, dtypeRepr, dtypeShortRepr } from './numpy-dtype';
import { latin1 } from './text';
import { PyNdArray, PyNumpyScalar, PyValue } from './value';

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PRECISION = 8;
/** Beyond this many printed items (deep summarised arrays) the description is used instead. */
const MAX_PRINTED = 10_000;

/** One array element, as numpy would hand it to a formatter. */
type Element = boolean | bigint | number | string;

/** Renders an element of an object array, or null when it is not a simple value. */
export type LeafRepr = (value: PyValue) => string | null;

interface Elements {
  info: DTypeInfo;
  /** null: an object-array element that `LeafRepr` cannot render. */
  get(flatIndex: number): Element | null;
}

function decodeText(bytes: Uint8Array, info: DTypeInfo, at: number): string {
  const end = at + info.itemsize;
  if (info.kind === 'S') {
    let stop = end;
    while (stop > at && bytes[stop - 1] === 0) stop--;
    return latin1(bytes.subarray(at, stop));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let stop = end;
  while (stop > at && view.getUint32(stop - 4, info.littleEndian) === 0) stop -= 4;
  let text = '';
  for (let p = at; p < stop; p += 4) {
    const c = view.getUint32(p, info.littleEndian);
    text += String.fromCodePoint(c > 0x10ffff ? 0xfffd : c);
  }
  return text;
}

function readInteger(view: DataView, at: number, size: number, le: boolean, signed: boolean): bigint {
  switch (size) {
    case 1:
      return BigInt(signed ? view.getInt8(at) : view.getUint8(at));
    case 2:
      return BigInt(signed ? view.getInt16(at, le) : view.getUint16(at, le));
    case 4:
      return BigInt(signed ? view.getInt32(at, le) : view.getUint32(at, le));
    default:
      return signed ? view.getBigInt64(at, le) : view.getBigUint64(at, le);
  }
}

/** Reads elements straight from the pickled buffer (or list, for object arrays). */
function elementsOf(array: PyNdArray, size: number, leafRepr: LeafRepr): Elements | null {
  const info = dtypeInfo(array.dtype);
  if (!info || info.kind === 'c' || (info.kind === 'f' && info.itemsize === 2)) return null;
  const data = array.data;
  if (info.kind === 'O') {
    if (data?.kind !== 'list' || data.items.length !== size) return null;
    const items = data.items;
    return { info, get: (i) => leafRepr(items[i]) };
  }
  if (data?.kind !== 'bytes' || data.value.length !== size * info.itemsize) return null;
  const bytes = data.value;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = info.littleEndian;
  const at = (i: number): number => i * info.itemsize;
  const readers: Record<string, (i: number) => Element> = {
    b: (i) => bytes[i] !== 0,
    i: (i) => readInteger(view, at(i), info.itemsize, le, true),
    u: (i) => readInteger(view, at(i), info.itemsize, le, false),
    f: (i) => (info.itemsize === 4 ? view.getFloat32(at(i), le) : view.getFloat64(at(i), le)),
    U: (i) => decodeText(bytes, info, at(i)),
    S: (i) => decodeText(bytes, info, at(i)),
  };
  return { info, get: readers[info.kind] };
}

/** Flat position of a multi-index in C or Fortran order. */
function flatIndexer(shape: number[], fortran: boolean): (index: number[]) => number {
  const strides = shape.map(() => 1);
  if (fortran) for (let k = 1; k < shape.length; k++) strides[k] = strides[k - 1] * shape[k - 1];
  else for (let k = shape.length - 2; k >= 0; k--) strides[k] = strides[k + 1] * shape[k + 1];
  return (index) => index.reduce((sum, i, k) => sum + i * strides[k], 0);
}

/** The indexes printed along one axis: all of them, or 3 + 3 when summarising. */
function shownIndexes(length: number, summarise: boolean): number[] {
  if (!summarise || length <= 2 * EDGE_ITEMS) return Array.from({ length }, (_, i) => i);
  return [0, 1, 2, length - 3, length - 2, length - 1];
}

function* shownMultiIndexes(shape: number[], summarise: boolean): Generator<number[]> {
  const axes = shape.map((n) => shownIndexes(n, summarise));
  const position = shape.map(() => 0);
  for (;;) {
    yield position.map((p, k) => axes[k][p]);
    let k = shape.length - 1;
    while (k >= 0 && ++position[k] === axes[k].length) position[k--] = 0;
    if (k < 0) return;
  }
}

// ── element formatters (arrayprint's BoolFormat, IntegerFormat, FloatingFormat, repr) ──

type Formatter = (value: Element) => string;

function pythonBytesRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const ch of text) {
    const b = ch.charCodeAt(0);
    if (ch === quote || ch === '\\') body += `\\${ch}`;
    else if (ch === '\t') body += '\\t';
    else if (ch === '\n') body += '\\n';
    else if (ch === '\r') body += '\\r';
    else if (b < 0x20 || b >= 0x7f) body += `\\x${b.toString(16).padStart(2, '0')}`;
    else body += ch;
  }
  return `b${quote}${body}${quote}`;
}

function formatterFor(info: DTypeInfo, values: Element[], zeroDim: boolean, strRepr: (s: string) => string): Formatter {
  switch (info.kind) {
    case 'b':
      return (v) => (v ? (zeroDim ? 'True' : ' True') : 'False');
    case 'i':
    case 'u': {
      const width = Math.max(0, ...values.map((v) => String(v).length));
      return (v) => String(v).padStart(width, ' ');
    }
    case 'f':
      return floatFormatter(values as number[], info.itemsize === 4);
    case 'U':
      return (v) => strRepr(v as string);
    case 'S':
      return (v) => pythonBytesRepr(v as string);
    default:
      return (v) => v as string;
  }
}

interface FloatLayout {
  exponential: boolean;
  precision: number;
  padLeft: number;
  padRight: number;
  expSize: number;
}

/** numpy's default float printing ('maxprec', precision 8): one layout for the whole array. */
function floatFormatter(values: number[], float32: boolean): Formatter {
  const unique = (x: number): Digits => (float32 ? shortestDigitsFloat32(x) : shortestDigits(x));
  const round = float32 ? Math.fround : (x: number) => x;
  const finite = values.filter(Number.isFinite);
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  let exponential = false;
  if (nonZero.length) {
    const max = Math.max(...nonZero);
    const min = Math.min(...nonZero);
    exponential = max >= 1e8 || min < 0.0001 || round(max / min) > 1000;
  }
  const layout: FloatLayout = { exponential, precision: PRECISION, padLeft: 0, padRight: 0, expSize: -1 };
  if (finite.length && exponential) {
    const parts = finite.map((x) => scientific(x, uniqueCapped(x, unique, PRECISION + 1), true, -1));
    layout.expSize = Math.max(...parts.map((s) => s.length - s.indexOf('e') - 1)) - 1;
    layout.precision = Math.max(...parts.map((s) => s.indexOf('e') - s.indexOf('.') - 1));
    layout.padLeft = Math.max(...parts.map((s) => s.indexOf('.')));
    layout.padRight = layout.expSize + 2 + layout.precision;
  } else if (finite.length) {
    const parts = finite.map((x) => positional(x, positionalDigits(x, unique)));
    layout.padLeft = Math.max(...parts.map((s) => s.indexOf('.')));
    layout.padRight = Math.max(...parts.map((s) => s.length - s.indexOf('.') - 1));
  }
  if (finite.length !== values.length) {
    const negativeInf = values.some((v) => v === -Infinity);
    const offset = layout.padRight + 1;
    layout.padLeft = Math.max(layout.padLeft, 3 - offset, 3 + (negativeInf ? 1 : 0) - offset);
  }
  return (v) => {
    const x = v as number;
    if (!Number.isFinite(x)) {
      const text = Number.isNaN(x) ? 'nan' : x < 0 ? '-inf' : 'inf';
      return text.padStart(layout.padLeft + layout.padRight + 1, ' ');
    }
    if (layout.exponential) {
      const digits = x === 0 ? { digits: '0', decpt: 1 } : roundToSignificant(x, layout.precision + 1);
      const text = scientific(x, digits, false, layout.expSize, layout.precision);
      return text.padStart(layout.padLeft + text.length - text.indexOf('.'), ' ');
    }
    const text = positional(x, positionalDigits(x, unique));
    const dot = text.indexOf('.');
    return text.padStart(layout.padLeft + text.length - dot, ' ').padEnd(layout.padLeft + 1 + layout.padRight, ' ');
  };
}

/** Shortest digits, or rounded to `significant` digits when they need more. */
function uniqueCapped(x: number, unique: (x: number) => Digits, significant: number): Digits {
  if (x === 0) return { digits: '0', decpt: 1 };
  const digits = unique(x);
  return digits.digits.length <= significant ? digits : roundToSignificant(x, significant);
}

/** Shortest digits, or rounded to PRECISION decimals when they need more. */
function positionalDigits(x: number, unique: (x: number) => Digits): Digits {
  if (x === 0) return { digits: '0', decpt: 1 };
  const digits = unique(x);
  return digits.digits.length - digits.decpt <= PRECISION ? digits : roundToFraction(x, PRECISION);
}

const signOf = (x: number): string => (x < 0 || Object.is(x, -0) ? '-' : '');

/** `123.45`, `0.5`, `3.` (trailing zeros trimmed, the point kept). */
function positional(x: number, { digits, decpt }: Digits): string {
  const whole = decpt > 0 ? digits.slice(0, decpt).padEnd(decpt, '0') : '0';
  const fraction = decpt > 0 ? digits.slice(decpt) : '0'.repeat(-decpt) + digits;
  return `${signOf(x)}${whole}.${fraction.replace(/0+$/, '')}`;
}

/** `1.5e+10`; trimmed (`1.e-05`) or with exactly `precision` decimals. */
function scientific(x: number, { digits, decpt }: Digits, trim: boolean, expDigits: number, precision = 0): string {
  let fraction = digits.slice(1);
  fraction = trim ? fraction.replace(/0+$/, '') : fraction.padEnd(precision, '0');
  const exponent = digits === '0' ? 0 : decpt - 1;
  const expText = String(Math.abs(exponent)).padStart(Math.max(2, expDigits), '0');
  return `${signOf(x)}${digits[0]}.${fraction}e${exponent < 0 ? '-' : '+'}${expText}`;
}

// ── layout (arrayprint's _formatArray with its line wrapping) ──

function extendLine(state: { s: string; line: string }, word: string, width: number, nextLinePrefix: string): void {
  if (state.line.length + word.length > width && state.line.length > nextLinePrefix.length) {
    state.s += `${state.line.trimEnd()}\n`;
    state.line = nextLinePrefix;
  }
  state.line += word;
}

function formatArray(shape: number[], cell: (index: number[]) => string, lineWidth: number, nextLinePrefix: string, summarise: boolean): string {
  const separator = ', ';
  const recurse = (index: number[], hangingIndent: string, width: number): string => {
    const axesLeft = shape.length - index.length;
    if (axesLeft === 0) return cell(index);
    const nextIndent = `${hangingIndent} `;
    const nextWidth = width - 1;
    const length = shape[index.length];
    const showSummary = summarise && 2 * EDGE_ITEMS < length;
    const leading = showSummary ? EDGE_ITEMS : 0;
    const trailing = showSummary ? EDGE_ITEMS : length;
    const rows: number[] = [];
    for (let i = 0; i < leading; i++) rows.push(i);
    for (let i = trailing; i >= 1; i--) rows.push(length - i);
    let s = '';
    if (axesLeft === 1) {
      const elementWidth = width - 1;
      const state = { s: '', line: hangingIndent };
      rows.forEach((i, k) => {
        if (showSummary && k === leading) {
          extendLine(state, '...', elementWidth, hangingIndent);
          state.line += separator;
        }
        extendLine(state, recurse([...index, i], nextIndent, nextWidth), elementWidth, hangingIndent);
        if (k < rows.length - 1) state.line += separator;
      });
      s = state.s + state.line;
    } else {
      const lineSeparator = `,${'\n'.repeat(axesLeft - 1)}`;
      rows.forEach((i, k) => {
        if (showSummary && k === leading) s += `${hangingIndent}...${lineSeparator}`;
        s += hangingIndent + recurse([...index, i], nextIndent, nextWidth) + (k < rows.length - 1 ? lineSeparator : '');
      });
    }
    return `[${s.slice(hangingIndent.length)}]`;
  };
  return recurse([], nextLinePrefix, lineWidth);
}

const shapeRepr = (shape: number[]): string => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

/** `type(arr).__name__` as numpy prints it: `array` for plain arrays. */
function className(array: PyNdArray): string {
  const cls = array.cls;
  if (cls.kind !== 'global' || (cls.module === 'numpy' && cls.name === 'ndarray')) return 'array';
  return cls.name;
}

/** numpy's `repr(array)`, or null when this array is not one we print exactly. */
export function ndarrayRepr(array: PyNdArray, leafRepr: LeafRepr, strRepr: (s: string) => string): string | null {
  const shape = array.shape;
  if (!shape) return null;
  const size = shape.reduce((a, b) => a * b, 1);
  const info = dtypeInfo(array.dtype);
  if (!info) return null;
  const prefix = `${className(array)}(`;
  const implied = dtypeIsImplied(info);
  let body: string;
  if (size === 0) {
    body = '[]';
  } else {
    const summarise = size > THRESHOLD;
    const printed = shape.reduce((n, len) => n * (summarise ? Math.min(len, 2 * EDGE_ITEMS) : len), 1);
    if (printed > MAX_PRINTED) return null;
    const elements = elementsOf(array, size, leafRepr);
    if (!elements) return null;
    const flat = flatIndexer(shape, array.fortran);
    const values: Element[] = [];
    for (const index of shownMultiIndexes(shape, summarise)) {
      const value = elements.get(flat(index));
      if (value === null) return null;
      values.push(value);
    }
    const format = formatterFor(info, values, shape.length === 0, strRepr);
    // arrayprint shortens the line by the suffix: `)` or `,` both take one column.
    body = formatArray(shape, (index) => format(elements.get(flat(index)) as Element), LINE_WIDTH - 1, ' '.repeat(prefix.length + 1), summarise);
  }
  const extras: string[] = [];
  const oddEmptyShape = size === 0 && !(shape.length === 1 && shape[0] === 0);
  if (oddEmptyShape || (array.numpyMajor === 2 && size > THRESHOLD)) extras.push(`shape=${shapeRepr(shape)}`);
  if (!implied || size === 0) extras.push(`dtype=${dtypeShortRepr(info)}`);
  if (!extras.length) return `${prefix}${body})`;
  const head = `${prefix}${body},`;
  const tail = `${extras.join(', ')})`;
  const lastLine = head.length - (head.lastIndexOf('\n') + 1);
  const spacer = lastLine + tail.length + 1 > LINE_WIDTH ? `\n${' '.repeat(prefix.length)}` : ' ';
  return head + spacer + tail;
}

/** `str()` of the first `limit` elements of a 1-D array (pandas index labels), or null. */
export function elementTexts(array: PyNdArray, limit: number, objectText: LeafRepr): string[] | null {
  const shape = array.shape;
  if (shape?.length !== 1) return null;
  const elements = elementsOf(array, shape[0], objectText);
  if (!elements) return null;
  const texts: string[] = [];
  for (let i = 0; i < Math.min(limit, shape[0]); i++) {
    const value = elements.get(i);
    if (value === null) return null;
    if (typeof value === 'boolean') texts.push(value ? 'True' : 'False');
    else if (typeof value === 'number') texts.push(pyFloatRepr(value));
    else texts.push(elements.info.kind === 'S' ? pythonBytesRepr(value as string) : String(value));
  }
  return texts;
}

/** What we show for arrays we cannot print like numpy. */
export function ndarrayDescription(array: PyNdArray): string {
  const info = dtypeInfo(array.dtype);
  const dtype = info ? dtypeShortRepr(info).replace(/'/g, '') : array.dtype?.kind === 'dtype' ? array.dtype.code : 'unknown';
  const shape = array.shape ? shapeRepr(array.shape) : 'unknown';
  const data = array.data?.kind === 'buffer' ? ', data out-of-band' : '';
  return `<numpy.ndarray shape=${shape} dtype=${dtype}${data}>`;
}

export function dtypeText(value: PyValue): string {
  const info = dtypeInfo(value);
  return info ? dtypeRepr(info) : `<numpy.dtype ${value.kind === 'dtype' ? value.code : '?'}>`;
}

/** numpy scalar type name: `float64`, `int8`, `bool_` (numpy 1) / `bool` (numpy 2). */
export function scalarTypeName(scalar: PyNumpyScalar): string {
  const info = dtypeInfo(scalar.dtype);
  if (!info) return 'generic';
  return info.kind === 'b' && scalar.numpyMajor === 1 ? 'bool_' : info.name;
}

/**
 * `repr(numpy scalar)`: numpy 1 prints bool, int and float scalars like Python values; numpy 2
 * wraps them (`np.float64(1.5)`, `np.True_`). Which one follows the module the pickle names.
 */
export function scalarRepr(scalar: PyNumpyScalar): string | null {
  const info = dtypeInfo(scalar.dtype);
  const data = scalar.data;
  if (!info || !'biuf'.includes(info.kind) || data.kind !== 'bytes' || data.value.length !== info.itemsize) return null;
  if (info.kind === 'f' && info.itemsize === 2) return null;
  const array: PyNdArray = { kind: 'ndarray', cls: { kind: 'none' }, shape: [], dtype: scalar.dtype, fortran: false, data, numpyMajor: 1 };
  const value = elementsOf(array, 1, () => null)?.get(0);
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') {
    if (scalar.numpyMajor === 2) return value ? 'np.True_' : 'np.False_';
    return value ? 'True' : 'False';
  }
  let text: string;
  if (typeof value !== 'number') text = String(value);
  else if (info.itemsize === 4 && Number.isFinite(value) && value !== 0) text = pyFloatRepr(value, true, shortestDigitsFloat32(value));
  else text = pyFloatRepr(value);
  return scalar.numpyMajor === 2 ? `np.${info.name}(${text})` : text;
}
