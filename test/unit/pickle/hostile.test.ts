/**
 * Hostile pickles: nothing runs, and every attack ends in an inert value or a PickleError, in
 * bounded time and memory (the limits make each case fail fast; no timing is asserted).
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePickle, PickleError, previewPickle, pyRepr, pyToJs } from '../../../src/metaflow/pickle';
import { artifactPickle, bytesOf, taskArtifacts, u32le, u64le } from './helpers';

const PROTO4 = [0x80, 4];

function expectPickleError(bytes: Uint8Array, message?: RegExp): void {
  expect(() => decodePickle(bytes)).toThrow(PickleError);
  if (message) expect(() => decodePickle(bytes)).toThrow(message);
  const preview = previewPickle(bytes, 200);
  expect(preview.text).toMatch(/^<undecodable pickle: /);
  expect(preview.typeName).toBe('unknown');
}

describe('code execution attempts stay inert', () => {
  const marker = join(tmpdir(), `pickle-pwned-${process.pid}`);

  it('REDUCE of os.system is a description of the call, and nothing runs', () => {
    // cos\nsystem\n(S'touch <marker>'\ntR.  — what `pickle.loads` would execute
    const bytes = bytesOf('cos\nsystem\n(S', `'touch ${marker}'`, '\ntR.');
    const value = decodePickle(bytes);
    expect(value).toMatchObject({ kind: 'object', cls: { kind: 'global', module: 'os', name: 'system' } });
    expect(previewPickle(bytes)).toMatchObject({ text: '<os.system object>', typeName: 'os.system' });
    expect(existsSync(marker)).toBe(false);
  });

  it('builtins.eval, __import__ and subprocess via NEWOBJ_EX are only names', () => {
    const call = (module: string, name: string, arg: string): Uint8Array =>
      bytesOf(PROTO4, 0x8c, module.length, module, 0x8c, name.length, name, 0x93, 0x8c, arg.length, arg, 0x85, 0x52, 0x2e);
    expect(previewPickle(call('builtins', 'eval', '__import__("os").system("id")')).text).toBe('<eval object>');
    expect(previewPickle(call('builtins', '__import__', 'os')).text).toBe('<__import__ object>');
    // subprocess.Popen(*('id',), **{}) through NEWOBJ_EX
    const popen = bytesOf(PROTO4, 0x8c, 10, 'subprocess', 0x8c, 5, 'Popen', 0x93, 0x8c, 2, 'id', 0x85, 0x7d, 0x92, 0x2e);
    expect(decodePickle(popen)).toMatchObject({ kind: 'object', args: [{ kind: 'str', value: 'id' }] });
  });

  it('a global used as a value prints as a reference', () => {
    expect(previewPickle(bytesOf('cos\nsystem\n.')).text).toBe('<function os.system>');
    expect(previewPickle(bytesOf('c__builtin__\nlist\n.')).text).toBe("<class 'list'>");
  });
});

describe('recursion bombs', () => {
  const DEPTH = 100_000;

  it('100,000 nested lists decode without recursion and preview with the full length', () => {
    // ] × 100000 then a × 99999: each APPEND puts a list into the one below it.
    const bytes = bytesOf(PROTO4, new Array(DEPTH).fill(0x5d), new Array(DEPTH - 1).fill(0x61), 0x2e);
    const preview = previewPickle(bytes, 50);
    expect(preview).toMatchObject({ truncated: true, length: 2 * DEPTH, typeName: 'list' });
    expect(preview.text).toBe(`${'['.repeat(49)}…`);
    expect(() => pyToJs(decodePickle(bytes))).toThrow(PickleError);
  });

  it('100,000 nested tuples (MARK … TUPLE) as well', () => {
    const bytes = bytesOf(PROTO4, new Array(DEPTH).fill(0x28), new Array(DEPTH).fill(0x74), 0x2e);
    const repr = pyRepr(decodePickle(bytes), 10);
    // ((…((),),)…,): each level adds `(`, `,)` except the innermost `()`.
    expect(repr.length).toBe(3 * DEPTH - 1);
    expect(repr.text).toBe('(((((((((…');
  });
});

describe('billion laughs', () => {
  const LEVELS = 60;
  /** len(L0) = len('[1]'); len(Lk) = 2 × len(Lk-1) + len('[, ]'). */
  const expectedLength = 7 * 2 ** LEVELS - 4;

  it('through the memo: 60 levels of [x, x] are measured, not expanded', () => {
    const levels: number[] = [];
    for (let k = 1; k <= LEVELS; k++) levels.push(0x5d, 0x28, 0x68, k - 1, 0x68, k - 1, 0x65, 0x94);
    const bytes = bytesOf(PROTO4, 0x5d, 0x4b, 1, 0x61, 0x94, levels, 0x2e);
    const preview = previewPickle(bytes, 100);
    expect(preview.truncated).toBe(true);
    expect(preview.text.startsWith('[[[[[[')).toBe(true);
    expect(preview.length).toBeCloseTo(expectedLength, -6);
    expect(preview.lengthIsLowerBound).toBeUndefined();
    expect(() => pyToJs(decodePickle(bytes))).toThrow(PickleError);
  });

  it('through DUP: 60 levels of (x, x)', () => {
    const bytes = bytesOf(PROTO4, 0x5d, 0x4b, 1, 0x61, new Array(LEVELS).fill([0x32, 0x86]).flat(), 0x2e);
    const preview = previewPickle(bytes, 100);
    expect(preview.text.startsWith('((((((')).toBe(true);
    expect(preview.length).toBeCloseTo(expectedLength, -6);
  });

  it('with a cycle inside the DAG, the walk stops at its budget and reports a lower bound', () => {
    // T = []; B0 = [T]; Bk = [Bk-1, Bk-1]; T.append(B40): every Bk reaches back to T.
    const levels: number[] = [];
    for (let k = 1; k <= 40; k++) levels.push(0x5d, 0x28, 0x68, k, 0x68, k, 0x65, 0x94);
    const bytes = bytesOf(PROTO4, 0x5d, 0x94, 0x5d, 0x68, 0, 0x61, 0x94, levels, 0x68, 0, 0x68, 41, 0x61, 0x2e);
    const preview = previewPickle(bytes, 100);
    expect(preview).toMatchObject({ truncated: true, lengthIsLowerBound: true });
    expect(preview.text.startsWith('[[[[')).toBe(true);
  });
});

describe('declared lengths beyond the data', () => {
  it.each([
    ['BINBYTES8 of 2^60 bytes', bytesOf(PROTO4, 0x8e, u64le(2n ** 60n), 'abc')],
    ['BINUNICODE8 of 2^63 bytes', bytesOf(PROTO4, 0x8d, u64le(2n ** 63n), 'abc')],
    ['BYTEARRAY8 of 2^40 bytes', bytesOf(0x80, 5, 0x96, u64le(2n ** 40n), 'abc')],
    ['BINBYTES of 4 GiB', bytesOf(PROTO4, 0x42, u32le(0xffffffff), 'abc')],
    ['BINUNICODE of 4 GiB', bytesOf(PROTO4, 0x58, u32le(0xffffffff), 'abc')],
    ['FRAME of 2^60 bytes', bytesOf(PROTO4, 0x95, u64le(2n ** 60n), 0x4e, 0x2e)],
    ['negative BINSTRING', bytesOf(0x54, u32le(0xfffffffe), 'abc')],
    ['LONG4 of 2 GiB', bytesOf(PROTO4, 0x8b, u32le(0x7fffffff), 1, 2, 3)],
    ['negative LONG4', bytesOf(PROTO4, 0x8b, u32le(0xffffffff), 1)],
  ])('%s is refused without allocating', (_name, bytes) => {
    expectPickleError(bytes);
  });

  it('ints beyond maxIntBytes are refused (their decimal text would be costly)', () => {
    expectPickleError(bytesOf(PROTO4, 0x8b, u32le(20_000), new Array(20_000).fill(7), 0x2e), /int of 20000 bytes/);
    expectPickleError(bytesOf('I', '9'.repeat(100_000), '\n.'), /digits exceeds/);
    expect(() => decodePickle(bytesOf(PROTO4, 0x8b, u32le(100), new Array(100).fill(7), 0x2e), { maxIntBytes: 64 })).toThrow(PickleError);
  });
});

describe('broken pickles', () => {
  const good = artifactPickle('ArtifactsFlow', taskArtifacts('ArtifactsFlow', '1795835921266226', 'start', '1').dict_nested);

  it('every truncation of a real pickle is a PickleError', () => {
    for (let n = 0; n < good.length; n++) expect(() => decodePickle(good.subarray(0, n))).toThrow(PickleError);
    expect(pyRepr(decodePickle(good)).text).toBe("{'a': 1, 'b': {'c': [1, 2, {'d': 'deep'}], 'e': (1, 2)}, 'f': None, 3: 'int key'}");
  });

  it.each([
    ['garbage', bytesOf('hello world')],
    ['an unknown opcode', bytesOf(PROTO4, 0xff, 0x2e)],
    ['protocol 6', bytesOf(0x80, 6, 0x4e, 0x2e)],
    ['a memo reference to a missing id (BINGET)', bytesOf(PROTO4, 0x68, 5, 0x2e)],
    ['a memo reference to a missing id (GET)', bytesOf('g12\n.')],
    ['STOP on an empty stack', bytesOf(PROTO4, 0x2e)],
    ['APPEND with nothing to append to', bytesOf(PROTO4, 0x4b, 1, 0x61, 0x2e)],
    ['TUPLE3 with two items', bytesOf(PROTO4, 0x4e, 0x4e, 0x87, 0x2e)],
    ['TUPLE without MARK', bytesOf(PROTO4, 0x4e, 0x74, 0x2e)],
    ['SETITEMS with an odd number of items', bytesOf(PROTO4, 0x7d, 0x28, 0x4e, 0x75, 0x2e)],
    ['APPEND to an int', bytesOf(PROTO4, 0x4b, 1, 0x4e, 0x61, 0x2e)],
    ['STACK_GLOBAL of non-strings', bytesOf(PROTO4, 0x4b, 1, 0x4b, 2, 0x93, 0x2e)],
    ['REDUCE with non-tuple arguments', bytesOf('cos\nsystem\nN', 0x52, 0x2e)],
    ['a persistent id', bytesOf('Pfile-42\n.')],
    ['an extension code', bytesOf(PROTO4, 0x82, 1, 0x2e)],
    ['non-ASCII Python 2 str', bytesOf(0x55, 2, 0xc3, 0xa9, 0x2e)],
    ['invalid UTF-8 in a str', bytesOf(PROTO4, 0x8c, 2, 0xc3, 0x28, 0x2e)],
    ['an unquoted STRING', bytesOf('Sabc\n.')],
    ['a bad INT literal', bytesOf('I12abc\n.')],
    ['a bad FLOAT literal', bytesOf('F1.2.3\n.')],
    ['a text line without end', bytesOf('I123')],
  ])('%s is a PickleError', (_name, bytes) => {
    expectPickleError(bytes);
  });

  it('BUILD on a value that has no attributes leaves it as it is', () => {
    expect(pyRepr(decodePickle(bytesOf(PROTO4, 0x4b, 7, 0x7d, 0x62, 0x2e))).text).toBe('7');
  });
});

describe('limits', () => {
  it('maxOperations bounds the work', () => {
    const bytes = bytesOf(PROTO4, new Array(5000).fill(0x4e), 0x2e);
    expect(pyRepr(decodePickle(bytes)).text).toBe('None');
    expect(() => decodePickle(bytes, { maxOperations: 1000 })).toThrow(/more than 1000 operations/);
  });

  it('maxMemoEntries bounds the memo', () => {
    const bytes = bytesOf(PROTO4, 0x4e, new Array(100).fill(0x94), 0x2e);
    expect(() => decodePickle(bytes, { maxMemoEntries: 50 })).toThrow(/more than 50 values/);
  });

  it('maxInputBytes refuses large input up front', () => {
    expect(() => decodePickle(new Uint8Array(2048), { maxInputBytes: 1024 })).toThrow(/exceeds the 1024-byte limit/);
  });

  it('a str repr of a lone surrogate is escaped, never emitted raw', () => {
    // X len 3 ED A0 80: U+D800 encoded with surrogatepass, as Python writes it.
    expect(pyRepr(decodePickle(bytesOf(PROTO4, 0x58, u32le(3), 0xed, 0xa0, 0x80, 0x2e))).text).toBe("'\\ud800'");
  });
});
