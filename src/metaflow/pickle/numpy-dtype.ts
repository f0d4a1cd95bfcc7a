/**
 * What a pickled numpy dtype means: kind, item size, byte order and the names numpy prints.
 * Only plain (non-structured, unit-less) dtypes are described; others give null.
 */
import { PyValue } from './value';

export interface DTypeInfo {
  /** numpy's kind letter: b i u f c O U S. */
  kind: string;
  itemsize: number;
  littleEndian: boolean;
  /** Native byte order (or none needed): numpy leaves it out of names. */
  native: boolean;
  /** `float64`, `int32`, `bool`, `object`, `str160` … */
  name: string;
  /** `<f8`, `|b1`, `<U5` … */
  str: string;
}

const SIZES: Record<string, number[]> = { b: [1], i: [1, 2, 4, 8], u: [1, 2, 4, 8], f: [2, 4, 8], c: [8, 16], O: [8, 4] };

export function dtypeInfo(value: PyValue | null): DTypeInfo | null {
  if (value?.kind !== 'dtype') return null;
  const match = /^([biufcOUS])(\d+)$/.exec(value.code);
  if (!match) return null;
  const [, kind, digits] = match;
  const count = Number(digits);
  if (SIZES[kind] && !SIZES[kind].includes(count)) return null;
  if ((kind === 'U' || kind === 'S') && count === 0) return null;
  const state = value.state?.kind === 'tuple' ? value.state.items : [];
  // Field names (index 3) make a structured dtype, which we do not print.
  if (state[3] && state[3].kind !== 'none') return null;
  const order = state[1]?.kind === 'str' ? state[1].value : '|';
  const littleEndian = order !== '>';
  const itemsize = kind === 'U' ? 4 * count : kind === 'O' ? 8 : count;
  const orderless = kind === 'O' || kind === 'b' || kind === 'S' || itemsize === 1;
  const shownOrder = orderless ? '|' : littleEndian ? '<' : '>';
  return {
    kind,
    itemsize,
    littleEndian,
    native: orderless || littleEndian,
    name: typeName(kind, itemsize),
    str: `${shownOrder}${kind}${kind === 'O' ? '' : count}`,
  };
}

function typeName(kind: string, itemsize: number): string {
  switch (kind) {
    case 'b':
      return 'bool';
    case 'i':
      return `int${8 * itemsize}`;
    case 'u':
      return `uint${8 * itemsize}`;
    case 'f':
      return `float${8 * itemsize}`;
    case 'c':
      return `complex${8 * itemsize}`;
    case 'O':
      return 'object';
    case 'U':
      return `str${8 * itemsize}`;
    default:
      return `bytes${8 * itemsize}`;
  }
}

/** `repr(dtype)`: `dtype('float64')`, `dtype('>i4')`, `dtype('<U5')`, `dtype('O')`. */
export function dtypeRepr(info: DTypeInfo): string {
  if (info.kind === 'O') return "dtype('O')";
  if (info.kind === 'U' || info.kind === 'S') return `dtype('${info.str.replace(/^\|/, '')}')`;
  return `dtype('${info.native ? info.name : info.str}')`;
}

/** The types an array repr leaves its dtype out for (numpy's `dtype_is_implied`). */
export function dtypeIsImplied(info: DTypeInfo): boolean {
  return info.native && ['int64', 'float64', 'complex128', 'bool'].includes(info.name);
}

/** How an array repr names a dtype (numpy's `dtype_short_repr`). */
export function dtypeShortRepr(info: DTypeInfo): string {
  if (info.kind === 'U' || info.kind === 'S' || !info.native) return `'${info.str}'`;
  return info.name;
}
