/**
 * Values of every kind pickled by real Python with protocols 0–5 (generate.py), previewed
 * against the repr() Python gives for the unpickled value.
 */
import { decodePickle, previewPickle, pyRepr } from '../../../src/metaflow/pickle';
import { fromHex, pickleCases } from './helpers';

const cases = pickleCases('python-values.json');

describe('Python values pickled with protocols 0 to 5', () => {
  it('include every protocol for every case', () => {
    expect(new Set(cases.map((c) => c.protocol))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(cases.length).toBeGreaterThan(700);
  });

  it.each(cases.map((c) => [`${c.source} (protocol ${c.protocol})`, c] as const))('%s previews as Python repr()', (_name, c) => {
    const preview = previewPickle(Buffer.from(c.pickle, 'base64'), 100_000);
    expect(preview.text).toBe(c.repr);
    expect(preview.typeName).toBe(c.type);
  });
});

describe('hand-written pickles of the text and early binary protocols', () => {
  it('reads protocol 0: {"a": [1, 2.5, None], "b": (True, "x")}', () => {
    // (dp0 / Va p1 / (lp2 I1 a F2.5 a N a s / Vb p3 / (I01 Vx p4 t p5 s .
    const bytes = fromHex('286470300a56610a70310a286c70320a49310a6146322e350a614e617356620a70330a284930310a56780a70340a7470350a732e');
    expect(pyRepr(decodePickle(bytes)).text).toBe("{'a': [1, 2.5, None], 'b': (True, 'x')}");
  });

  it('reads protocol 1: the same dict with binary opcodes', () => {
    // } q0 ( X'a' q1 ] q2 ( K1 G2.5 N e X'b' q3 ( I01 X'x' q4 t q5 u .
    const bytes = fromHex('7d71002858010000006171015d7102284b014740040000000000004e655801000000627103284930310a5801000000787104747105752e');
    expect(pyRepr(decodePickle(bytes)).text).toBe("{'a': [1, 2.5, None], 'b': (True, 'x')}");
  });

  it('reads protocol 2: {1, 2} as __builtin__.set([1, 2]) (Python 2 names)', () => {
    // PROTO 2, GLOBAL '__builtin__ set', BINPUT 0, EMPTY_LIST … APPENDS, TUPLE1, REDUCE, STOP
    const bytes = fromHex('8002635f5f6275696c74696e5f5f0a7365740a71005d7101284b014b02658571025271032e');
    expect(pyRepr(decodePickle(bytes)).text).toBe('{1, 2}');
  });

  it("reads protocol 5: bytearray(b'ab') as BYTEARRAY8", () => {
    // PROTO 5, FRAME 13, BYTEARRAY8 len 2 'ab', MEMOIZE, STOP
    const bytes = fromHex('8005950d000000000000009602000000000000006162942e');
    expect(previewPickle(bytes)).toEqual({ text: "bytearray(b'ab')", truncated: false, length: 16, typeName: 'bytearray' });
  });

  it('reads protocol 0 STRING literals with Python 2 escapes', () => {
    // S'it\'s\n\x41\101' .
    const bytes = Buffer.from("S'it\\'s\\n\\x41\\101'\n.", 'latin1');
    expect(pyRepr(decodePickle(bytes)).text).toBe('"it\'s\\nAA"');
  });

  it('reads protocol 0 UNICODE with raw-unicode-escape', () => {
    // V\u00e9\U0001f680\\u literal .   (a backslash before the backslash keeps \u literal)
    const bytes = Buffer.from('V\\u00e9\\U0001f680 \\\\u0041\n.', 'latin1');
    expect(pyRepr(decodePickle(bytes)).text).toBe("'é🚀 \\\\\\\\u0041'");
  });
});
