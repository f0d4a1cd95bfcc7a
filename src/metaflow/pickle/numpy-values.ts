/**
 * numpy arrays, dtypes and scalars as their pickles describe them (never as numpy objects):
 * `_reconstruct` makes an empty array that BUILD then fills with shape, dtype and raw bytes;
 * protocol 5 uses `_frombuffer` with everything at once.
 */
import { PyDType, PyGlobal, PyNdArray, PyNumpyScalar, PyValue } from './value';

/** numpy itself refuses more dimensions than this. */
const MAX_NDIM = 64;

function numpyMajor(callee: PyGlobal): 1 | 2 {
  return callee.module.startsWith('numpy._core') ? 2 : 1;
}

function shapeOf(value: PyValue | undefined): number[] | null {
  if (value?.kind !== 'tuple' || value.items.length > MAX_NDIM) return null;
  const shape: number[] = [];
  let size = 1;
  for (const item of value.items) {
    if (item.kind !== 'int' || item.value < 0n || item.value > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    shape.push(Number(item.value));
    size *= shape[shape.length - 1];
  }
  return size <= Number.MAX_SAFE_INTEGER ? shape : null;
}

function reconstructArray(args: PyValue[], callee: PyGlobal): PyNdArray | null {
  const [cls] = args;
  if (args.length !== 3 || cls.kind !== 'global') return null;
  return { kind: 'ndarray', cls, shape: null, dtype: null, fortran: false, data: null, numpyMajor: numpyMajor(callee) };
}

/** `_frombuffer(buffer, dtype, shape, order)`, what protocol 5 writes for contiguous arrays. */
function arrayFromBuffer(args: PyValue[], callee: PyGlobal): PyNdArray | null {
  const [data, dtype, shapeArg, order] = args;
  const shape = shapeOf(shapeArg);
  if (args.length !== 4 || !shape || dtype.kind !== 'dtype' || order.kind !== 'str') return null;
  if (data.kind !== 'bytes' && data.kind !== 'buffer') return null;
  const cls: PyGlobal = { kind: 'global', module: 'numpy', name: 'ndarray' };
  return { kind: 'ndarray', cls, shape, dtype, fortran: order.value === 'F', data, numpyMajor: numpyMajor(callee) };
}

/** BUILD state of an array: `(version, shape, dtype, is_fortran, data)`, or the same without version. */
export function setArrayState(array: PyNdArray, state: PyValue): void {
  if (state.kind !== 'tuple') return;
  const items = state.items.length === 5 ? state.items.slice(1) : state.items;
  if (items.length !== 4) return;
  const [shape, dtype, fortran, data] = items;
  array.shape = shapeOf(shape);
  array.dtype = dtype;
  array.fortran = fortran.kind === 'bool' ? fortran.value : fortran.kind === 'int' && fortran.value !== 0n;
  array.data = data;
}

function makeDType(args: PyValue[]): PyDType | null {
  const [code] = args;
  if (code?.kind !== 'str') return null;
  return { kind: 'dtype', code: code.value, state: null };
}

function makeScalar(args: PyValue[], callee: PyGlobal): PyNumpyScalar | null {
  const [dtype, data] = args;
  if (args.length !== 2 || dtype.kind !== 'dtype') return null;
  return { kind: 'npscalar', dtype, data, numpyMajor: numpyMajor(callee) };
}

export const NUMPY_CONSTRUCTORS: Record<string, (args: PyValue[], callee: PyGlobal) => PyValue | null> = {
  'numpy.dtype': makeDType,
};
for (const core of ['numpy.core', 'numpy._core']) {
  NUMPY_CONSTRUCTORS[`${core}.multiarray._reconstruct`] = reconstructArray;
  NUMPY_CONSTRUCTORS[`${core}.multiarray.scalar`] = makeScalar;
  NUMPY_CONSTRUCTORS[`${core}.numeric._frombuffer`] = arrayFromBuffer;
}
