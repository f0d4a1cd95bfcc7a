/**
 * numpy's array repr (numpy/core/arrayprint.py with default print options: 75 columns,
 * summarised beyond 1000 items with 3 edge items) for bool, integer, float32/64, str, bytes and
 * object arrays of simple values; dtype and scalar reprs. Other arrays, and arrays whose data
 * does not add up, get a one-line description instead.
 */
import { pyFloatRepr, shortestDigitsFloat32 } from './floats';
import { DTypeInfo, dtypeInfo, dtypeIsImplied, dtypeRepr, dtypeShortRepr } from './numpy-dtype';
import { Element, elementsOf, flatIndexer, LeafRepr } from './numpy-elements';
import { floatFormatter } from './numpy-floats';
import { bytesRepr, reprStrText } from './text-repr';
import { PyNdArray, PyNumpyScalar, PyValue } from './value';

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
/** Beyond this many printed items (deep summarised arrays) the description is used instead. */
const MAX_PRINTED = 10_000;

type Formatter = (value: Element) => string;

function bytesText(bytes: Uint8Array): string {
  const text = bytesRepr(bytes, false);
  return text.head(text.length);
}

/** The indexes printed along one axis: all of them, or 3 + 3 when summarising. */
function shownIndexes(length: number, summarise: boolean): number[] {
  if (!summarise || length <= 2 * EDGE_ITEMS) return Array.from({ length }, (_, i) => i);
  return [0, 1, 2, length - 3, length - 2, length - 1];
}

/** Every printed multi-index, in order. */
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

/** arrayprint's BoolFormat, IntegerFormat, FloatingFormat, or plain repr for the rest. */
function formatterFor(info: DTypeInfo, values: Element[], zeroDim: boolean): Formatter {
  switch (info.kind) {
    case 'b':
      return (v) => (v ? (zeroDim ? 'True' : ' True') : 'False');
    case 'i':
    case 'u': {
      const width = Math.max(0, ...values.map((v) => String(v).length));
      return (v) => String(v).padStart(width, ' ');
    }
    case 'f': {
      const format = floatFormatter(values as number[], info.itemsize === 4);
      return (v) => format(v as number);
    }
    case 'U':
      return (v) => reprStrText(v as string);
    case 'S':
      return (v) => bytesText(v as Uint8Array);
    default:
      return (v) => v as string;
  }
}

function extendLine(state: { s: string; line: string }, word: string, width: number, nextLinePrefix: string): void {
  if (state.line.length + word.length > width && state.line.length > nextLinePrefix.length) {
    state.s += `${state.line.trimEnd()}\n`;
    state.line = nextLinePrefix;
  }
  state.line += word;
}

/** arrayprint's `_formatArray`: nested brackets, wrapped rows, blank lines between blocks. */
function formatArray(shape: number[], cell: (index: number[]) => string, lineWidth: number, nextLinePrefix: string, summarise: boolean): string {
  const separator = ', ';
  // Recursion depth is the number of dimensions, at most 64.
  const recurse = (index: number[], hangingIndent: string, width: number): string => {
    const axesLeft = shape.length - index.length;
    if (axesLeft === 0) return cell(index);
    const nextIndent = `${hangingIndent} `;
    const length = shape[index.length];
    const showSummary = summarise && 2 * EDGE_ITEMS < length;
    const leading = showSummary ? EDGE_ITEMS : 0;
    const rows: number[] = [];
    for (let i = 0; i < leading; i++) rows.push(i);
    for (let i = showSummary ? EDGE_ITEMS : length; i >= 1; i--) rows.push(length - i);
    let s = '';
    if (axesLeft === 1) {
      const state = { s: '', line: hangingIndent };
      rows.forEach((i, k) => {
        if (showSummary && k === leading) {
          extendLine(state, '...', width - 1, hangingIndent);
          state.line += separator;
        }
        extendLine(state, recurse([...index, i], nextIndent, width - 1), width - 1, hangingIndent);
        if (k < rows.length - 1) state.line += separator;
      });
      s = state.s + state.line;
    } else {
      const lineSeparator = `,${'\n'.repeat(axesLeft - 1)}`;
      rows.forEach((i, k) => {
        if (showSummary && k === leading) s += `${hangingIndent}...${lineSeparator}`;
        s += hangingIndent + recurse([...index, i], nextIndent, width - 1) + (k < rows.length - 1 ? lineSeparator : '');
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

/** The `[...]` part of the repr, or null when the elements cannot be printed like numpy. */
function arrayBody(array: PyNdArray, info: DTypeInfo, shape: number[], size: number, prefix: string, leafRepr: LeafRepr): string | null {
  if (size === 0) return '[]';
  const summarise = size > THRESHOLD;
  const printed = shape.reduce((n, len) => n * (summarise ? Math.min(len, 2 * EDGE_ITEMS) : len), 1);
  if (printed > MAX_PRINTED) return null;
  const elements = elementsOf(info, array.data, size, leafRepr);
  if (!elements) return null;
  const flat = flatIndexer(shape, array.fortran);
  const values: Element[] = [];
  for (const index of shownMultiIndexes(shape, summarise)) {
    const value = elements.get(flat(index));
    if (value === null) return null;
    values.push(value);
  }
  const format = formatterFor(info, values, shape.length === 0);
  // arrayprint shortens the line by the suffix that follows: `)` or `,`, one column either way.
  return formatArray(shape, (index) => format(elements.get(flat(index)) as Element), LINE_WIDTH - 1, ' '.repeat(prefix.length + 1), summarise);
}

/**
 * numpy's `repr(array)`, or null when this array is not one we print exactly. numpy 2.2+
 * adds `shape=` to summarised arrays; numpy 1 (`numpy.core` names in the pickle) does not.
 */
export function ndarrayRepr(array: PyNdArray, leafRepr: LeafRepr): string | null {
  const shape = array.shape;
  const info = dtypeInfo(array.dtype);
  if (!shape || !info) return null;
  const size = shape.reduce((a, b) => a * b, 1);
  const prefix = `${className(array)}(`;
  const body = arrayBody(array, info, shape, size, prefix, leafRepr);
  if (body === null) return null;
  const extras: string[] = [];
  const oddEmptyShape = size === 0 && !(shape.length === 1 && shape[0] === 0);
  if (oddEmptyShape || (array.numpyMajor === 2 && size > THRESHOLD)) extras.push(`shape=${shapeRepr(shape)}`);
  if (!dtypeIsImplied(info) || size === 0) extras.push(`dtype=${dtypeShortRepr(info)}`);
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
  const info = dtypeInfo(array.dtype);
  if (shape?.length !== 1 || !info) return null;
  const elements = elementsOf(info, array.data, shape[0], objectText);
  if (!elements) return null;
  const texts: string[] = [];
  for (let i = 0; i < Math.min(limit, shape[0]); i++) {
    const value = elements.get(i);
    if (value === null) return null;
    if (typeof value === 'boolean') texts.push(value ? 'True' : 'False');
    else if (typeof value === 'number') texts.push(pyFloatRepr(value));
    else if (value instanceof Uint8Array) texts.push(bytesText(value));
    else texts.push(String(value));
  }
  return texts;
}

/** `shape=(3, 4) dtype=float64`, in the words numpy's own repr uses for them. */
function shapeAndDtype(array: PyNdArray): string {
  const info = dtypeInfo(array.dtype);
  const dtype = info ? dtypeShortRepr(info).replace(/'/g, '') : array.dtype?.kind === 'dtype' ? array.dtype.code : 'unknown';
  const shape = array.shape ? shapeRepr(array.shape) : 'unknown';
  return `shape=${shape} dtype=${dtype}`;
}

/** What we show for arrays we cannot print like numpy. */
export function ndarrayDescription(array: PyNdArray): string {
  const data = array.data?.kind === 'buffer' ? ', data out-of-band' : '';
  return `<numpy.ndarray ${shapeAndDtype(array)}${data}>`;
}

/**
 * An array shown on its own: shape and dtype first, then numpy's repr of the first values.
 * numpy's repr leaves out the shape of most arrays and the dtype of the common ones, and a
 * preview cut short would lose whatever came after the values. A repr of several lines starts
 * on a line of its own, so that its rows stay aligned under `array(`.
 */
export function ndarrayPreview(array: PyNdArray, leafRepr: LeafRepr): string {
  const repr = ndarrayRepr(array, leafRepr);
  if (repr === null) return ndarrayDescription(array);
  return `${shapeAndDtype(array)}:${repr.includes('\n') ? '\n' : ' '}${repr}`;
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
  if (!info || !'biuf'.includes(info.kind)) return null;
  const value = elementsOf(info, scalar.data, 1, () => null)?.get(0);
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
