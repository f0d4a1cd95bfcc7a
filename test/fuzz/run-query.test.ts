/**
 * The run-query parser under random, mutated and oversized text: it returns a query or throws a
 * RunQueryError, quickly, and the error reads back to the user as a valid Slack message.
 * (test/unit/runspec.test.ts covers the grammar's round trip; this file the hostile edges.)
 */
import { LogLevel, type Logger } from '@slack/bolt';
import fc from 'fast-check';
import { formatRunQuery, parseRunQuery, RunQueryError, type RunQuery } from '../../src/metaflow/runspec';
import { failureMessage } from '../../src/slack/errors';
import { validateMessage } from '../../views/validate';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };

/** Slack lets a slash command carry a few thousand characters and a mention far more. */
const MAX_TEXT = 4000;
/** Linear work on 4,000 characters takes well under a millisecond; this catches a quadratic (or worse) path. */
const SLOW_MS = 50;

/** Queries people type, in every form the grammar has; the mutations start from these. */
const REAL_QUERIES = [
  'HelloFlow',
  'HelloFlow/42',
  '/HelloFlow/42/',
  'HelloFlow/42/start',
  'HelloFlow/42/start/7',
  'latest run of HelloFlow',
  "alice's HelloFlow",
  'james’ latest run of HelloFlow tagged nightly',
  'HelloFlow tagged nightly, team:ml and "two words"',
  'HelloFlow tagged “a, b”, and c',
  'https://ui.example.com/HelloFlow/42/view/dag?x=1#t',
  'https://ui.example.com/HelloFlow/argo-x.1/start/7/',
  '<https://ui.example.com/HelloFlow/42|HelloFlow/42>',
  '`HelloFlow/42`',
  'Latest',
  'Tagged tagged x',
];

type Mutation = { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; length: number } | { kind: 'duplicate'; at: number; length: number } | { kind: 'swap'; at: number };

/** Characters the lexer treats specially, and some it should not care about. */
const SPECIAL = fc.constantFrom(
  ' ', '\t', '\n', '\u00a0', '\u2028', '`', ',', '"', '“', '”', "'", '’', '‘', '<', '>', '|', '/', '\\', ':', '?', '#', '.', '..',
  's', 'run', 'of', 'latest', 'tagged', 'and', 'https://', '\u0000', '\ud800', '\udc00', '🙂', 'é', 'İ', 'ß',
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(SPECIAL, fc.string({ unit: 'binary', maxLength: 3 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
);

function mutate(text: string, edits: Mutation[]): string {
  let out = text;
  for (const edit of edits) {
    const at = edit.at % (out.length + 1);
    switch (edit.kind) {
      case 'insert':
        out = out.slice(0, at) + edit.text + out.slice(at);
        break;
      case 'delete':
        out = out.slice(0, at) + out.slice(at + edit.length);
        break;
      case 'duplicate':
        out = out.slice(0, at) + out.slice(at, at + edit.length) + out.slice(at);
        break;
      case 'swap':
        out = at + 1 < out.length ? out.slice(0, at) + out[at + 1] + out[at] + out.slice(at + 2) : out;
        break;
    }
  }
  return out;
}

const nearlyValid = fc.tuple(fc.constantFrom(...REAL_QUERIES), fc.array(mutation, { minLength: 1, maxLength: 5 })).map(([q, edits]) => mutate(q, edits));

/** A piece repeated up to the length Slack allows: the inputs a slow path would choke on. */
const oversized = fc
  .tuple(fc.oneof(SPECIAL, fc.constantFrom(...REAL_QUERIES), fc.string({ maxLength: 4 })), fc.integer({ min: 100, max: MAX_TEXT }), fc.constantFrom('', 'HelloFlow ', "alice's ", 'HelloFlow tagged '))
  .map(([piece, length, prefix]) => (prefix + piece.repeat(Math.ceil(length / Math.max(1, piece.length)))).slice(0, MAX_TEXT));

const anyText = fc.oneof(
  { arbitrary: nearlyValid, weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 1 },
  { arbitrary: fc.array(SPECIAL, { maxLength: 20 }).map((parts) => parts.join('')), weight: 2 },
  { arbitrary: oversized, weight: 1 },
);

type Outcome = { query: RunQuery } | { error: RunQueryError };

function parse(text: string): Outcome {
  try {
    return { query: parseRunQuery(text) };
  } catch (err) {
    if (err instanceof RunQueryError) return { error: err };
    throw new Error(`parseRunQuery(${JSON.stringify(text.slice(0, 200))}) threw ${String(err)}, not a RunQueryError`);
  }
}

/** A garbage collection or a busy neighbour can stall one call; a slow path stalls all three. */
function fastestOfThree(fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3 && best >= SLOW_MS; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

it('gives a query or a RunQueryError for near-valid, random and oversized text, in linear time', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const outcome = parse(text);
      expect(fastestOfThree(() => parse(text))).toBeLessThan(SLOW_MS);
      if ('error' in outcome) {
        expect(outcome.error.position).toBeGreaterThanOrEqual(0);
        expect(outcome.error.position).toBeLessThanOrEqual(text.length);
        expect(outcome.error.expected.length).toBeGreaterThan(0);
      } else {
        expect(parseRunQuery(formatRunQuery(outcome.query))).toStrictEqual(outcome.query);
      }
    }),
    { numRuns: 3000 },
  );
});

it('turns every RunQueryError into one valid Slack message that quotes nothing unescaped', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const outcome = parse(text);
      if (!('error' in outcome)) return;
      const message = failureMessage(outcome.error, silent, '/metaflow');
      expect(message.blocks).toHaveLength(1);
      expect(validateMessage(message)).toEqual([]);
      // What the user typed comes back escaped: a pasted `<!channel>` must not ping anyone.
      expect(JSON.stringify(message)).not.toMatch(/<[!@#]/);
    }),
    { numRuns: 1500 },
  );
});
