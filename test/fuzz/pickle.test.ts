/**
 * The pickle decoder on hostile bytes shaped like what it reads in production: the artifact
 * blobs real Metaflow wrote (test/fixtures/metaflow-local), mutated, truncated and spliced, and
 * random opcode programs. Every path the client takes from a blob (decode, repr, preview, the
 * JS copy, the exception reader) ends in a value or a PickleError, within a time bound that
 * the decoder's limits make hold. (test/unit/pickle/property.test.ts mutates the small
 * generated cases; these are the real blobs and whole programs.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { decodePickle, exceptionFromPickle, PickleError, previewPickle, pyRepr, pyToJs, type PickleLimits } from '../../src/metaflow/pickle';
import { OP } from '../../src/metaflow/pickle/opcodes';
import { LOCAL_ROOT } from '../support/fixtures';

/** A blob is decoded for a preview while a Slack user waits; anything near this is a bug. */
const SLOW_MS = 250;
const PREVIEW_LENGTH = 300;
/** Mutating a 5 MB blob byte by byte would mostly test memcpy; the big ones are only cut. */
const MUTABLE_BYTES = 64 * 1024;

/** Every artifact blob of the fixture flows, decompressed: the pickles Metaflow 2.19 wrote. */
function fixturePickles(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const flow of readdirSync(LOCAL_ROOT)) {
    const data = join(LOCAL_ROOT, flow, 'data');
    let prefixes: string[];
    try {
      prefixes = readdirSync(data);
    } catch {
      continue;
    }
    for (const prefix of prefixes) {
      for (const file of readdirSync(join(data, prefix))) {
        // `<sha>_meta` is the blob's sidecar (`cas_raw: false`: the blob is gzip), not a blob.
        if (!file.endsWith('_meta')) out.push(new Uint8Array(gunzipSync(readFileSync(join(data, prefix, file)))));
      }
    }
  }
  return out;
}

const ALL = fixturePickles();
const SMALL = ALL.filter((b) => b.length <= MUTABLE_BYTES);
const LARGE = ALL.filter((b) => b.length > MUTABLE_BYTES);

/** Every entry point the client uses on a blob, each allowed to fail with a PickleError only. */
function misbehaviour(bytes: Uint8Array, limits?: Partial<PickleLimits>): unknown {
  const attempts: (() => unknown)[] = [
    () => {
      const value = decodePickle(bytes, limits);
      const repr = pyRepr(value, PREVIEW_LENGTH);
      if (typeof repr.text !== 'string' || [...repr.text].length > PREVIEW_LENGTH) return new Error(`repr of ${[...repr.text].length} characters`);
      pyToJs(value);
      return undefined;
    },
    () => exceptionFromPickle(bytes),
  ];
  for (const attempt of attempts) {
    try {
      const wrong = attempt();
      if (wrong instanceof Error) return wrong;
    } catch (err) {
      if (!(err instanceof PickleError)) return err;
    }
  }
  const preview = previewPickle(bytes, PREVIEW_LENGTH);
  if (typeof preview.text !== 'string' || [...preview.text].length > PREVIEW_LENGTH) return new Error(`preview of ${[...preview.text].length} characters`);
  return undefined;
}

/** A garbage collection can stall one call; a slow path stalls all three. */
function fastestOfThree(fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3 && best >= SLOW_MS; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function check(bytes: Uint8Array, limits?: Partial<PickleLimits>): void {
  const wrong = misbehaviour(bytes, limits);
  if (wrong !== undefined) {
    throw new Error(`not a PickleError for ${Buffer.from(bytes.subarray(0, 64)).toString('hex')}…: ${wrong instanceof Error ? (wrong.stack ?? wrong.message) : JSON.stringify(wrong)}`);
  }
  expect(fastestOfThree(() => misbehaviour(bytes, limits))).toBeLessThan(SLOW_MS);
}

/** Opcodes of every protocol; inserting them shifts the decoder into a different state than a random byte does. */
const OPCODES = Object.values(OP);

type Edit = { kind: 'set'; at: number; byte: number } | { kind: 'opcode'; at: number; op: number } | { kind: 'delete'; at: number; length: number } | { kind: 'copy'; from: number; to: number; length: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('opcode' as const), at: fc.nat(), op: fc.constantFrom(...OPCODES) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('copy' as const), from: fc.nat(), to: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

function applyEdits(seed: Uint8Array, edits: Edit[]): Uint8Array {
  let bytes = Buffer.from(seed);
  for (const e of edits) {
    const size = Math.max(1, bytes.length);
    switch (e.kind) {
      case 'set':
        if (bytes.length > 0) bytes[e.at % size] = e.byte;
        break;
      case 'opcode': {
        const at = e.at % (bytes.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([e.op]), bytes.subarray(at)]);
        break;
      }
      case 'delete': {
        const at = e.at % size;
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + e.length)]);
        break;
      }
      case 'copy': {
        const from = e.from % size;
        const to = e.to % (bytes.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, to), bytes.subarray(from, from + e.length), bytes.subarray(to)]);
        break;
      }
    }
  }
  return new Uint8Array(bytes);
}

const mutated = fc.tuple(fc.constantFrom(...SMALL), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([seed, edits]) => applyEdits(seed, edits));

const truncated = fc.tuple(fc.oneof(fc.constantFrom(...SMALL), fc.constantFrom(...LARGE)), fc.double({ min: 0, max: 1, noNaN: true })).map(([seed, at]) => seed.subarray(0, Math.floor(seed.length * at)));

/** The head of one real pickle and the tail of another: valid opcodes in an impossible order. */
const spliced = fc
  .tuple(fc.constantFrom(...SMALL), fc.constantFrom(...SMALL), fc.nat(), fc.nat())
  .map(([a, b, i, j]) => new Uint8Array(Buffer.concat([a.subarray(0, i % (a.length + 1)), b.subarray(j % (b.length + 1))])));

/**
 * A random program of protocol-4 opcodes with plausible operands: containers, memo traffic and
 * calls, which is where sharing (a DAG the repr and the JS copy must not blow up on), stack
 * discipline and the constructor whitelist are exercised.
 */
const instruction: fc.Arbitrary<number[]> = fc.oneof(
  fc
    .constantFrom(
      OP.MARK, OP.EMPTY_LIST, OP.EMPTY_DICT, OP.EMPTY_TUPLE, OP.EMPTY_SET, OP.TUPLE1, OP.TUPLE2, OP.TUPLE3, OP.TUPLE, OP.LIST,
      OP.DICT, OP.APPEND, OP.APPENDS, OP.SETITEM, OP.SETITEMS, OP.ADDITEMS, OP.FROZENSET, OP.DUP, OP.POP, OP.POP_MARK,
      OP.MEMOIZE, OP.NONE, OP.NEWTRUE, OP.NEWFALSE, OP.BUILD, OP.REDUCE, OP.NEWOBJ, OP.NEWOBJ_EX, OP.STACK_GLOBAL, OP.OBJ,
    )
    .map((op): number[] => [op]),
  fc.integer({ min: 0, max: 255 }).map((n) => [OP.BININT1, n]),
  fc.integer({ min: 0, max: 8 }).map((n) => [OP.BINGET, n]),
  fc.integer({ min: 0, max: 8 }).map((n) => [OP.BINPUT, n]),
  fc.constantFrom('builtins', 'collections', 'OrderedDict', 'set', 'list', 'datetime', 'numpy', 'dtype', 'pandas', 'os', 'system', 'a').map((s) => [OP.SHORT_BINUNICODE, s.length, ...Buffer.from(s)]),
  fc.constantFrom('builtins\nset', 'collections\nOrderedDict', 'datetime\ndatetime', 'numpy\ndtype', 'numpy.core.multiarray\n_reconstruct', 'os\nsystem').map((s) => [OP.GLOBAL, ...Buffer.from(`${s}\n`)]),
  fc.uint8Array({ maxLength: 4 }).map((b) => [OP.LONG1, b.length, ...b]),
  fc.uint8Array({ maxLength: 8 }).map((b) => [OP.SHORT_BINBYTES, b.length, ...b]),
);

const assemble = (ops: number[][]): Uint8Array => Uint8Array.from([OP.PROTO, 4, ...ops.flat(), OP.STOP]);
const programOps = fc.array(instruction, { maxLength: 300 });
const program = programOps.map(assemble);

/** Repeating a few instructions thousands of times: deep nesting and wide sharing, as an attacker would build them. */
const amplifier = fc
  .tuple(fc.array(instruction, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1_000, max: 10_000 }), fc.array(instruction, { maxLength: 4 }))
  .map(([body, times, seed]) => {
    const unit = body.flat();
    const out = [OP.PROTO, 4, ...seed.flat()];
    for (let i = 0; i < times; i++) for (const b of unit) out.push(b);
    out.push(OP.STOP);
    return Uint8Array.from(out);
  });

describe('real Metaflow artifact pickles', () => {
  it('are all read', () => {
    expect(ALL.length).toBeGreaterThan(50);
    expect(LARGE.length).toBeGreaterThan(0);
    for (const bytes of ALL) expect(() => decodePickle(bytes)).not.toThrow();
  });

  it('mutated, they give a value or a PickleError, quickly', () => {
    fc.assert(fc.property(mutated, (bytes) => check(bytes)), { numRuns: 1500 });
  });

  it('truncated anywhere (the 5 MB blob too), they give a value or a PickleError, quickly', () => {
    fc.assert(fc.property(truncated, (bytes) => check(bytes)), { numRuns: 200 });
  });

  it('spliced head to tail, they give a value or a PickleError, quickly', () => {
    fc.assert(fc.property(spliced, (bytes) => check(bytes)), { numRuns: 800 });
  });
});

describe('random opcode programs', () => {
  it('give a value or a PickleError, quickly', () => {
    fc.assert(fc.property(program, (bytes) => check(bytes)), { numRuns: 1500 });
  });

  it('amplified to tens of thousands of operations stay within the default limits and the time bound', () => {
    fc.assert(fc.property(amplifier, (bytes) => check(bytes)), { numRuns: 60 });
  });
});

describe('the limits hold on any input', () => {
  const anyPickle = fc.oneof(mutated, program, fc.constantFrom(...SMALL));

  it('a pickle longer than maxInputBytes is refused before it is read', () => {
    fc.assert(
      fc.property(anyPickle, (bytes) => {
        fc.pre(bytes.length > 1);
        expect(() => decodePickle(bytes, { maxInputBytes: bytes.length - 1 })).toThrow(PickleError);
      }),
      { numRuns: 300 },
    );
  });

  it('a program that needs more operations than maxOperations is refused', () => {
    fc.assert(
      fc.property(programOps, fc.integer({ min: 1, max: 300 }), (ops, maxOperations) => {
        let decoded = false;
        try {
          decodePickle(assemble(ops), { maxOperations });
          decoded = true;
        } catch (err) {
          if (!(err instanceof PickleError)) throw err;
        }
        // No instruction holds a STOP opcode, so a decoded program ran every one of them, PROTO and STOP included.
        if (decoded) expect(ops.length + 2).toBeLessThanOrEqual(maxOperations);
      }),
      { numRuns: 500 },
    );
  });
});
