/** Reading the elements of a pickled numpy array: raw buffer for plain dtypes, a list for objects. */
import { DTypeInfo } from './numpy-dtype';
import { PyValue } from './value';

/** One array element, as numpy would hand it to a formatter (`S` elements are their bytes). */
export type Element = boolean | bigint | number | string | Uint8Array;

/** Renders an element of an object array, or null when it is not a simple value. */
export type LeafRepr = (value: PyValue) => string | null;

interface Elements {
  info: DTypeInfo;
  /** null: an object-array element that `LeafRepr` cannot render. */
  get(flatIndex: number): Element | null;
}

/** numpy pads fixed-width strings with NULs and drops them when reading an element. */
function readText(view: DataView, bytes: Uint8Array, info: DTypeInfo, at: number): string | Uint8Array {
  let stop = at + info.itemsize;
  if (info.kind === 'S') {
    while (stop > at && bytes[stop - 1] === 0) stop--;
    return bytes.subarray(at, stop);
  }
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

/**
 * Element reader over `size` elements of `data`, or null when the dtype is one we do not print
 * (complex, float16) or the data does not match the dtype and size.
 */
export function elementsOf(info: DTypeInfo, data: PyValue | null, size: number, leafRepr: LeafRepr): Elements | null {
  if (info.kind === 'c' || (info.kind === 'f' && info.itemsize === 2)) return null;
  if (info.kind === 'O') {
    if (data?.kind !== 'list' || data.items.length !== size) return null;
    const items = data.items;
    return { info, get: (i) => leafRepr(items[i]) };
  }
  if (data?.kind !== 'bytes' || data.value.length !== size * info.itemsize) return null;
  const bytes = data.value;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { itemsize, littleEndian: le } = info;
  const readers: Record<string, (i: number) => Element> = {
    b: (i) => bytes[i] !== 0,
    i: (i) => readInteger(view, i * itemsize, itemsize, le, true),
    u: (i) => readInteger(view, i * itemsize, itemsize, le, false),
    f: (i) => (itemsize === 4 ? view.getFloat32(i * itemsize, le) : view.getFloat64(i * itemsize, le)),
    U: (i) => readText(view, bytes, info, i * itemsize),
    S: (i) => readText(view, bytes, info, i * itemsize),
  };
  return { info, get: readers[info.kind] };
}

/** Flat position of a multi-index in C or Fortran order. */
export function flatIndexer(shape: number[], fortran: boolean): (index: number[]) => number {
  const strides = shape.map(() => 1);
  if (fortran) for (let k = 1; k < shape.length; k++) strides[k] = strides[k - 1] * shape[k - 1];
  else for (let k = shape.length - 2; k >= 0; k--) strides[k] = strides[k + 1] * shape[k + 1];
  return (index) => index.reduce((sum, i, k) => sum + i * strides[k], 0);
}
