/**
 * numpy arrays, dtypes and scalars pickled by numpy 2 (`numpy._core`) and as numpy 1 writes
 * them (`numpy.core`), against the repr each numpy version prints (generate.py). An array's
 * preview states its shape and dtype before that repr.
 */
import { decodePickle, previewPickle, pyToJs } from '../../../src/metaflow/pickle';
import { pickleCases, type PickleCase } from './helpers';

const cases = pickleCases('numpy-values.json');
const printed = cases.filter((c) => c.repr !== null);
const preview = (c: PickleCase, maxLength = 100_000) => previewPickle(Buffer.from(c.pickle, 'base64'), maxLength);
const isArray = (c: PickleCase): boolean => preview(c).typeName === 'numpy.ndarray';
const named = (c: PickleCase) => [`${c.source} (numpy ${c.numpy}, protocol ${c.protocol})`, c] as const;

/** `shape=(3, 4) dtype=float64:`, then the repr: on the same line, or on its own when it has several. */
function arrayPreviewParts(text: string): { head: string; separator: string; repr: string } {
  const m = /^(shape=\([^)]*\) dtype=[^\s:]+):([ \n])([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`no shape and dtype before the repr in ${JSON.stringify(text)}`);
  return { head: m[1], separator: m[2], repr: m[3] };
}

describe('numpy values', () => {
  it('include arrays and other values among the fixture cases', () => {
    expect(printed.filter(isArray).length).toBeGreaterThan(50);
    expect(printed.filter((c) => !isArray(c)).length).toBeGreaterThan(10);
  });

  it.each(printed.filter(isArray).map(named))('%s previews as shape, dtype and numpy repr()', (_name, c) => {
    const { separator, repr } = arrayPreviewParts(preview(c).text);
    expect(repr).toBe(c.repr);
    expect(separator).toBe((c.repr as string).includes('\n') ? '\n' : ' ');
  });

  it.each(printed.filter((c) => !isArray(c)).map(named))('%s previews as numpy repr()', (_name, c) => {
    expect(preview(c).text).toBe(c.repr);
  });

  it.each([
    ['np.array([1, 2, 3])', 'shape=(3,) dtype=int64'],
    ['np.arange(12.).reshape(3, 4)', 'shape=(3, 4) dtype=float64'],
    ['np.arange(24).reshape(2, 3, 4)', 'shape=(2, 3, 4) dtype=int64'],
    ['np.arange(2000)', 'shape=(2000,) dtype=int64'],
    ['np.array(5)', 'shape=() dtype=int64'],
    ['np.zeros((0, 3))', 'shape=(0, 3) dtype=float64'],
    ["np.array([1, 2], dtype='>i4')", 'shape=(2,) dtype=>i4'],
    ["np.array(['a', 'bb'])", 'shape=(2,) dtype=<U2'],
    ["np.array([b'x', b'yz'])", 'shape=(2,) dtype=|S2'],
    ["np.array([1, 'x', None, 2.5], dtype=object)", 'shape=(4,) dtype=object'],
    ['np.array([0.1, 1e-7], dtype=np.float32)', 'shape=(2,) dtype=float32'],
    ['np.array([True, False])', 'shape=(2,) dtype=bool'],
  ])('state the shape and dtype of %s', (source, head) => {
    const all = printed.filter((c) => c.source === source);
    expect(all.length).toBeGreaterThan(0);
    for (const c of all) expect(arrayPreviewParts(preview(c).text).head).toBe(head);
  });

  it('keep the shape and dtype of an array whose preview is cut', () => {
    const big = printed.find((c) => c.source === 'np.arange(2000.).reshape(2, 1000)') as PickleCase;
    const cut = preview(big, 40);
    expect(cut.truncated).toBe(true);
    expect(cut.text).toBe('shape=(2, 1000) dtype=float64:\narray([[…');
    expect(cut.length).toBe(preview(big).text.length);
  });

  it('name arrays numpy.ndarray and scalars by their numpy type', () => {
    const typeOf = (source: string): string => preview(printed.find((c) => c.source === source) as PickleCase).typeName;
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
