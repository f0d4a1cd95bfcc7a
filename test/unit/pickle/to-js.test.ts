/** Decoded values as plain JS data (what the client reads from Metaflow's own artifacts). */
import { CYCLE, decodePickle, PickleError, pyToJs, PyValue } from '../../../src/metaflow/pickle';
import { bytesOf } from './helpers';

const str = (value: string): PyValue => ({ kind: 'str', value });
const int = (n: bigint): PyValue => ({ kind: 'int', value: n });
const dict = (...entries: [PyValue, PyValue][]): PyValue => ({ kind: 'dict', entries, flavor: 'dict', factory: null });

describe('pyToJs', () => {
  it('maps scalars, sequences and str-keyed dicts to JSON-like data', () => {
    const value: PyValue = {
      kind: 'list',
      items: [
        { kind: 'none' },
        { kind: 'bool', value: true },
        int(5n),
        { kind: 'float', value: 2.5 },
        str('s'),
        { kind: 'tuple', items: [int(1n)] },
        { kind: 'set', items: [int(2n)], frozen: true },
        dict([str('k'), int(3n)]),
      ],
    };
    expect(pyToJs(value)).toEqual([null, true, 5, 2.5, 's', [1], [2], { k: 3 }]);
  });

  it('gives ints beyond 2^53 as decimal strings', () => {
    expect(pyToJs(int(2n ** 100n))).toBe('1267650600228229401496703205376');
    expect(pyToJs(int(-(2n ** 53n) + 1n))).toBe(-(2 ** 53) + 1);
  });

  it('keeps non-str keys in a Map', () => {
    expect(pyToJs(dict([int(3n), str('int key')], [str('a'), int(1n)]))).toEqual(new Map<unknown, unknown>([[3, 'int key'], ['a', 1]]));
  });

  it('keeps a "__proto__" key as data', () => {
    const out = pyToJs(dict([str('__proto__'), dict([str('polluted'), { kind: 'bool', value: true }])])) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('gives objects as their class plus attributes, other values as class plus repr', () => {
    // __main__.Point() BUILD {'x': 1}
    const point = decodePickle(bytesOf(0x80, 4, 0x8c, 8, '__main__', 0x8c, 5, 'Point', 0x93, 0x29, 0x81, 0x7d, 0x8c, 1, 'x', 0x4b, 1, 0x73, 0x62, 0x2e));
    expect(pyToJs(point)).toEqual({ x: 1, __class__: '__main__.Point' });
    expect(pyToJs({ kind: 'complex', real: 1, imag: 2 })).toEqual({ __class__: 'complex', repr: '(1+2j)' });
    expect(pyToJs({ kind: 'global', module: 'os', name: 'system' })).toEqual({ __class__: 'type', name: 'os.system' });
  });

  it('stops at a self-reference', () => {
    const self: PyValue = { kind: 'list', items: [] };
    (self as { items: PyValue[] }).items.push(self);
    expect(pyToJs(self)).toEqual([CYCLE]);
  });

  it('refuses values nested deeper than it will follow', () => {
    let deep: PyValue = { kind: 'list', items: [] };
    for (let i = 0; i < 2000; i++) deep = { kind: 'list', items: [deep] };
    expect(() => pyToJs(deep)).toThrow(PickleError);
  });
});
