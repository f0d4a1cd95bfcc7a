/** The repr walker: cutting, lengths in code points, sharing and self-reference, our own formats. */
import { cutText, decodePickle, previewPickle, pyRepr, PyValue } from '../../../src/metaflow/pickle';
import { bytesOf, u32le } from './helpers';

const int = (n: number): PyValue => ({ kind: 'int', value: BigInt(n) });
const str = (value: string): PyValue => ({ kind: 'str', value });
const list = (...items: PyValue[]): PyValue => ({ kind: 'list', items });
const global = (module: string, name: string): PyValue => ({ kind: 'global', module, name });

describe('pyRepr', () => {
  it('returns the whole repr when it fits', () => {
    expect(pyRepr(list(int(1), str('two')), 100)).toEqual({ text: "[1, 'two']", truncated: false, length: 10 });
  });

  it('cuts at maxLength with … and reports the full length', () => {
    const value = list(...Array.from({ length: 100 }, (_, i) => int(i)));
    const full = pyRepr(value, 10_000).text;
    const cut = pyRepr(value, 20);
    expect(cut).toEqual({ text: `${full.slice(0, 19)}…`, truncated: true, length: full.length });
  });

  it('counts and cuts in code points, never splitting a character', () => {
    const value = str('🚀🚀🚀🚀');
    expect(pyRepr(value)).toMatchObject({ text: "'🚀🚀🚀🚀'", length: 6 });
    expect(pyRepr(value, 4)).toMatchObject({ text: "'🚀🚀…", length: 6, truncated: true });
  });

  it('uses a default maximum of 1000 characters', () => {
    const result = pyRepr(str('x'.repeat(5000)));
    expect(result.text).toHaveLength(1000);
    expect(result.length).toBe(5002);
  });

  it('measures a huge bytes value without rendering it', () => {
    const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 256);
    // Per 256 bytes: 95 printable (\\ and ' take 2), 4 \t \n \r… escapes take 2, the rest 4.
    const perCycle = Array.from({ length: 256 }, (_, b) =>
      b === 0x5c || b === 0x27 || b === 9 || b === 10 || b === 13 ? 2 : b < 0x20 || b >= 0x7f ? 4 : 1,
    ).reduce((a, b) => a + b, 0);
    const result = pyRepr({ kind: 'bytes', value: bytes, mutable: false }, 30);
    expect(result.length).toBe(3 + perCycle * (bytes.length / 256));
    expect(result.text).toBe("b'\\x00\\x01\\x02\\x03\\x04\\x05\\x0…");
  });

  it('shows a shared value each time it appears, and a self-reference as Python does', () => {
    const shared = list(int(1));
    expect(pyRepr(list(shared, shared)).text).toBe('[[1], [1]]');
    const self: PyValue = { kind: 'list', items: [] };
    (self as { items: PyValue[] }).items.push(self, list(self));
    expect(pyRepr(self).text).toBe('[[...], [[...]]]');
  });

  it('gives the length of the truncated text for cutText', () => {
    expect(cutText('abcdef', 4)).toEqual({ text: 'abc…', truncated: true, length: 6 });
    expect(cutText('abc', 4)).toEqual({ text: 'abc', truncated: false, length: 3 });
  });
});

describe('our own formats, where Python needs the class to print', () => {
  it('objects show their class and attribute names', () => {
    // __main__.Point() with state {'x': 1, 'y': 2}, as in the fixtures.
    const bytes = bytesOf(0x80, 4, 0x8c, 8, '__main__', 0x8c, 5, 'Point', 0x93, 0x29, 0x81, 0x7d, 0x28, 0x8c, 1, 'x', 0x4b, 1, 0x8c, 1, 'y', 0x4b, 2, 0x75, 0x62, 0x2e);
    expect(previewPickle(bytes)).toEqual({ text: '<__main__.Point object: x, y>', truncated: false, length: 29, typeName: '__main__.Point' });
  });

  it('objects with __slots__ state list both parts', () => {
    const point: PyValue = {
      kind: 'object', cls: global('shapes', 'Slotted'), args: [], kwargs: null, listItems: [], dictItems: [],
      state: { kind: 'tuple', items: [{ kind: 'none' }, { kind: 'dict', entries: [[str('a'), int(1)]], flavor: 'dict', factory: null }] },
    };
    expect(pyRepr(point).text).toBe('<shapes.Slotted object: a>');
  });

  it('class and function references', () => {
    expect(pyRepr(global('collections', 'OrderedDict')).text).toBe("<class 'collections.OrderedDict'>");
    expect(pyRepr(global('builtins', 'getattr')).text).toBe('<built-in function getattr>');
    expect(pyRepr(global('mymod', 'helper')).text).toBe('<function mymod.helper>');
  });

  it('enum members pickled as getattr(cls, name)', () => {
    // builtins.getattr(__main__.Color, 'RED')
    const bytes = bytesOf(0x80, 4, 0x8c, 8, 'builtins', 0x8c, 7, 'getattr', 0x93, 0x8c, 8, '__main__', 0x8c, 5, 'Color', 0x93, 0x8c, 3, 'RED', 0x86, 0x52, 0x2e);
    expect(previewPickle(bytes)).toMatchObject({ text: '<Color.RED>', typeName: '__main__.Color' });
  });

  it('an out-of-band buffer (protocol 5 NEXT_BUFFER, READONLY_BUFFER)', () => {
    expect(previewPickle(bytesOf(0x80, 5, 0x97, 0x98, 0x2e)).text).toBe('<pickle.PickleBuffer (out-of-band, read-only)>');
  });

  it('undecodable pickles say why, within maxLength', () => {
    const preview = previewPickle(bytesOf(0x80, 4, 0x58, u32le(1000), 'abc'), 30);
    expect(preview).toMatchObject({ truncated: true, typeName: 'unknown' });
    expect(preview.text).toBe('<undecodable pickle: pickle d…');
    expect(preview.text).toHaveLength(30);
  });

  it('a value decodes the same from a Buffer and from a plain Uint8Array', () => {
    const bytes = bytesOf(0x80, 4, 0x4b, 42, 0x2e);
    expect(decodePickle(Buffer.from(bytes))).toEqual(decodePickle(bytes));
  });
});
