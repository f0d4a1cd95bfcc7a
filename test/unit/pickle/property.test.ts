/** Random and mutated bytes: decoding gives a value or a PickleError, never any other failure. */
import fc from 'fast-check';
import { decodePickle, PickleError, previewPickle, pyRepr, pyToJs } from '../../../src/metaflow/pickle';
import { pickleCases } from './helpers';

const LIMITS = { maxOperations: 20_000, maxMemoEntries: 2_000 };
const seeds = [...pickleCases('python-values.json'), ...pickleCases('numpy-values.json')]
  .map((c) => Uint8Array.from(Buffer.from(c.pickle, 'base64')))
  .filter((bytes) => bytes.length < 4096);

/** Decodes and renders; returns the error if it is not a PickleError. */
function misbehaviour(bytes: Uint8Array): unknown {
  try {
    const value = decodePickle(bytes, LIMITS);
    pyRepr(value, 200);
    try {
      pyToJs(value);
    } catch (err) {
      if (!(err instanceof PickleError)) return err;
    }
  } catch (err) {
    if (!(err instanceof PickleError)) return err;
  }
  const preview = previewPickle(bytes, 200);
  return typeof preview.text === 'string' && preview.text.length <= 200 ? undefined : preview;
}

const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat())
  .map(([seed, edits, cut]) => {
    const bytes = Uint8Array.from(seed);
    for (const [at, b] of edits) bytes[at % bytes.length] = b;
    return cut % 4 === 0 ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
  });

describe('decoding arbitrary bytes', () => {
  it('random bytes give a value or a PickleError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => misbehaviour(bytes) === undefined), { numRuns: 2000 });
  });

  it('random bytes after a protocol header give a value or a PickleError', () => {
    const header = fc.constantFrom(0, 1, 2, 3, 4, 5).chain((p) => fc.uint8Array({ maxLength: 100 }).map((rest) => Uint8Array.from([0x80, p, ...rest])));
    fc.assert(fc.property(header, (bytes) => misbehaviour(bytes) === undefined), { numRuns: 2000 });
  });

  it('mutated and truncated real pickles give a value or a PickleError', () => {
    fc.assert(fc.property(mutated, (bytes) => misbehaviour(bytes) === undefined), { numRuns: 3000 });
  });
});
