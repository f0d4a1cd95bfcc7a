/**
 * numpy arrays, dtypes and scalars pickled by numpy 2 (`numpy._core`) and as numpy 1 writes
 * them (`numpy.core`), against the repr each numpy version prints (generate.py).
 */
import { decodePickle, previewPickle, pyToJs } from '../../../src/metaflow/pickle';
import { pickleCases } from './helpers';

const cases = pickleCases('numpy-values.json');
const printed = cases.filter((c) => c.repr !== null);

describe('numpy values', () => {
  it.each(printed.map((c) => [`${c.source} (numpy ${c.numpy}, protocol ${c.protocol})`, c] as const))('%s previews as numpy repr()', (_name, c) => {
    expect(previewPickle(Buffer.from(c.pickle, 'base64'), 100_000).text).toBe(c.repr);
  });

  it('name arrays numpy.ndarray and scalars by their numpy type', () => {
    const typeOf = (source: string): string => previewPickle(Buffer.from((printed.find((c) => c.source === source) as { pickle: string }).pickle, 'base64')).typeName;
    expect(typeOf('np.arange(30)')).toBe('numpy.ndarray');
    expect(typeOf('np.float32(0.1)')).toBe('numpy.float32');
    expect(typeOf("np.dtype('f8')")).toBe('numpy.dtype');
  });

  it('describe an array whose data travelled out-of-band (protocol 5 buffer_callback)', () => {
    const oob = cases.find((c) => c.source.includes('out-of-band')) as { pickle: string };
    expect(previewPickle(Buffer.from(oob.pickle, 'base64')).text).toBe('<numpy.ndarray shape=(3,) dtype=int64, data out-of-band>');
  });

  it('describe arrays of dtypes not printed like numpy (complex)', () => {
    const complex = cases.find((c) => c.source === 'np.array([1 + 2j])') as { pickle: string };
    expect(previewPickle(Buffer.from(complex.pickle, 'base64')).text).toBe('<numpy.ndarray shape=(1,) dtype=complex128>');
  });

  it('convert to plain data as class and repr', () => {
    const array = printed.find((c) => c.source === 'np.array([1, 2, 3])') as { pickle: string };
    expect(pyToJs(decodePickle(Buffer.from(array.pickle, 'base64')))).toEqual({ __class__: 'numpy.ndarray', repr: 'array([1, 2, 3])' });
  });
});
