/**
 * The navigation state modals carry in private_metadata: every place encodes to at most 3,000
 * characters and decodes to itself (a long paging trail loses its oldest entries, nothing
 * else); anything else decodes to null without throwing; clicks lead where they should.
 */
import fc from 'fast-check';
import {
  CURSOR_MAX,
  decodeNav,
  encodeNav,
  FIRST_PAGE,
  forward,
  ID_MAX,
  NAME_MAX,
  navigate,
  NO_FILTER,
  parentOf,
  previousPage,
  nextPage,
  TAG_MAX,
  TAGS_MAX,
  TRAIL_MAX,
  USER_MAX,
  type Location,
  type Nav,
  type Paging,
} from '../../src/slack/navigation';
import { PRIVATE_METADATA_MAX } from '../../views/limits';

const identStart = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_é'.split(''));
const identRest = fc.constantFrom(...'abcXYZ_0123456789é語'.split(''));
const name = (max = NAME_MAX) => fc.tuple(identStart, fc.string({ unit: identRest, maxLength: max - 1 })).map(([a, b]) => a + b);
const id = fc.string({ unit: fc.constantFrom(...'0123456789abcXYZ._-'.split('')), minLength: 1, maxLength: ID_MAX }).filter((s) => !/^\.+$/.test(s));
/** Printable text, quotes and backslashes included: JSON escapes those. */
const text = (max: number) => fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '"', '\\', '/', 'é', '語', '🚀', '<', '&', "'"), minLength: 1, maxLength: max }).filter((s) => s.length <= max);
const cursor = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.=~"\\'.split('')), minLength: 1, maxLength: CURSOR_MAX });
const page = fc.nat({ max: 1_000_000 });
const status = fc.constantFrom('running', 'successful', 'failed', 'lost' as const);

const paging: fc.Arbitrary<Paging> = fc
  .record({ page, cursor: fc.option(cursor, { nil: null }), trail: fc.array(fc.option(cursor, { nil: null }), { maxLength: TRAIL_MAX }) })
  .map((p) => ({ ...p, page: Math.max(p.page, p.trail.length) }));

const task = { flow: name(), run: id, step: name(), task: id };

const location: fc.Arbitrary<Location> = fc.oneof(
  fc.constant({ kind: 'inspect' as const }),
  fc.record({ kind: fc.constant('flows' as const), page }),
  fc.record({
    kind: fc.constant('runs' as const),
    flow: name(),
    filter: fc.record({ user: fc.option(text(USER_MAX), { nil: null }), tags: fc.array(text(TAG_MAX), { maxLength: TAGS_MAX }), status: fc.option(status, { nil: null }) }),
    paging,
  }),
  fc.record({ kind: fc.constant('run' as const), flow: name(), run: id, page }),
  fc.record({ kind: fc.constant('step' as const), flow: name(), run: id, step: name(), paging }),
  fc.record({ kind: fc.constant('task' as const), ...task, page }),
  fc.record({ kind: fc.constant('artifact' as const), ...task, name: name(), page }),
  fc.record({ kind: fc.constant('logs' as const), ...task, stream: fc.constantFrom('stdout', 'stderr' as const), attempt: fc.option(fc.nat({ max: 1000 }), { nil: null }), paging }),
);

const nav: fc.Arbitrary<Nav> = fc.record({
  at: location,
  depth: fc.constantFrom(1, 2, 3 as const),
  channel: fc.option(fc.stringMatching(/^[CDG][A-Z0-9]{8,12}$/), { nil: null }),
});

function withoutTrail(n: Nav): Nav {
  return 'paging' in n.at ? { ...n, at: { ...n.at, paging: { ...n.at.paging, trail: [] } } } : n;
}

describe('encoding', () => {
  it('fits private_metadata and decodes to the same place; only the oldest of a long trail is dropped', () => {
    fc.assert(
      fc.property(nav, (n) => {
        const encoded = encodeNav(n);
        expect(encoded).not.toBeNull();
        expect((encoded as string).length).toBeLessThanOrEqual(PRIVATE_METADATA_MAX);
        const decoded = decodeNav(encoded) as Nav;
        expect(withoutTrail(decoded)).toEqual(withoutTrail(n));
        if ('paging' in n.at && 'paging' in decoded.at) {
          const kept = decoded.at.paging.trail;
          expect(n.at.paging.trail.slice(n.at.paging.trail.length - kept.length)).toEqual(kept);
        } else {
          expect(decoded).toEqual(n);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps typical places whole, trail and all, in a few hundred characters', () => {
    const typical: Nav = {
      at: { kind: 'runs', flow: 'HelloFlow', filter: { user: 'alice', tags: ['nightly'], status: 'failed' }, paging: { page: 3, cursor: 'eyJzIjpudWxsLCJvIjo2MH0', trail: [null, 'eyJvIjoyMH0', 'eyJvIjo0MH0'] } },
      depth: 2,
      channel: 'C0GENERAL1',
    };
    const encoded = encodeNav(typical) as string;
    expect(encoded.length).toBeLessThan(300);
    expect(decodeNav(encoded)).toEqual(typical);
    expect(encodeNav({ at: { kind: 'step', flow: 'FailFlow', run: '1795835906791541', step: 'explode', paging: FIRST_PAGE }, depth: 3, channel: 'C0GENERAL1' })).toBe(
      'm1{"k":"s","d":3,"c":"C0GENERAL1","f":"FailFlow","r":"1795835906791541","s":"explode"}',
    );
  });

  it('fits the worst case: every field at its longest, all escaped, with the longest trail', () => {
    const worst = '"'.repeat(TAG_MAX);
    const longName = 'F'.repeat(NAME_MAX);
    const n: Nav = {
      at: {
        kind: 'runs',
        flow: longName,
        filter: { user: '\\'.repeat(USER_MAX), tags: Array.from({ length: TAGS_MAX }, () => worst), status: 'running' },
        paging: { page: TRAIL_MAX, cursor: '"'.repeat(CURSOR_MAX), trail: Array.from({ length: TRAIL_MAX }, () => '"'.repeat(CURSOR_MAX)) },
      },
      depth: 3,
      channel: 'C0123456789',
    };
    const encoded = encodeNav(n) as string;
    expect(encoded.length).toBeLessThanOrEqual(PRIVATE_METADATA_MAX);
    const decoded = decodeNav(encoded) as Nav;
    expect(decoded.at.kind === 'runs' && decoded.at.paging.trail).toEqual([]);
    expect(decoded.at.kind === 'runs' && decoded.at.filter.tags).toEqual(n.at.kind === 'runs' && n.at.filter.tags);
  });

  it('refuses to encode what a view could not carry back', () => {
    const at = (flow: string): Nav => ({ at: { kind: 'run', flow, run: '1', page: 0 }, depth: 1, channel: null });
    expect(encodeNav(at('Not a flow'))).toBeNull();
    expect(encodeNav(at('F'.repeat(NAME_MAX + 1)))).toBeNull();
    expect(encodeNav({ at: { kind: 'runs', flow: 'A', filter: { ...NO_FILTER, tags: ['x\u0000'] }, paging: FIRST_PAGE }, depth: 1, channel: null })).toBeNull();
  });

  it('decodes anything else to null, without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `m1${s}`), fc.json().map((j) => `m1${j}`)), (garbage) => {
        const decoded = decodeNav(garbage);
        if (decoded !== null) expect(decodeNav(encodeNav(decoded))).toEqual(decoded);
      }),
      { numRuns: 3000 },
    );
    for (const bad of [
      undefined,
      '',
      'm1',
      'm1null',
      'm1[]',
      'm2{"k":"i","d":1}',
      'm1{"k":"i","d":4}',
      'm1{"k":"i","d":1,"x":1}',
      'm1{"k":"r","d":1,"f":"A"}',
      'm1{"k":"r","d":1,"f":"A","r":".."}',
      'm1{"k":"s","d":1,"f":"A","r":"1","s":"b","p":1,"h":[null,"c"]}',
      `m1{"k":"i","d":1,"c":"${'C'.repeat(4000)}"}`,
    ]) {
      expect(decodeNav(bad)).toBeNull();
    }
  });
});

describe('moving', () => {
  const at = (depth: 1 | 2 | 3, where: Location): Nav => ({ at: where, depth, channel: 'C1' });
  const runs: Location = { kind: 'runs', flow: 'HelloFlow', filter: NO_FILTER, paging: FIRST_PAGE };

  it('pushes deeper views while the stack has room, then replaces in place', () => {
    expect(forward(at(1, runs), { kind: 'run', flow: 'A', run: '1', page: 0 })).toMatchObject({ push: true, nav: { depth: 2 } });
    expect(forward(at(2, runs), { kind: 'run', flow: 'A', run: '1', page: 0 })).toMatchObject({ push: true, nav: { depth: 3 } });
    expect(forward(at(3, runs), { kind: 'run', flow: 'A', run: '1', page: 0 })).toMatchObject({ push: false, nav: { depth: 3 } });
  });

  it('goes back one level in place, whatever the path', () => {
    const logs: Location = { kind: 'logs', flow: 'A', run: '1', step: 's', task: '2', stream: 'stderr', attempt: 1, paging: FIRST_PAGE };
    const back = navigate(at(3, logs), { type: 'back' });
    expect(back).toEqual({ push: false, nav: at(3, { kind: 'task', flow: 'A', run: '1', step: 's', task: '2', page: 0 }) });
    expect(parentOf({ kind: 'flows', page: 3 })).toBeNull();
    expect(navigate(at(1, { kind: 'flows', page: 0 }), { type: 'back' })).toBeNull();
  });

  it('pages forward with the cursor a button carries and back along the trail', () => {
    const first = at(1, runs);
    const second = navigate(first, { type: 'next', cursor: 'c1' })?.nav as Nav;
    const third = navigate(second, { type: 'next', cursor: 'c2' })?.nav as Nav;
    expect(third.at).toMatchObject({ paging: { page: 2, cursor: 'c2', trail: [null, 'c1'] } });
    expect(navigate(third, { type: 'previous' })?.nav.at).toMatchObject({ paging: { page: 1, cursor: 'c1', trail: [null] } });
    expect(navigate(first, { type: 'previous' })).toBeNull();
    expect(navigate(first, { type: 'next', cursor: null })).toBeNull();
    // A trail cut short leads back to the first page.
    expect(previousPage({ page: 40, cursor: 'c40', trail: [] })).toEqual(FIRST_PAGE);
    expect(nextPage({ page: 0, cursor: null, trail: [] }, 'x')).toEqual({ page: 1, cursor: 'x', trail: [null] });
  });

  it('applies filters from the first page and refuses clicks that do not belong where the view is', () => {
    const paged = at(1, { ...runs, paging: { page: 2, cursor: 'c', trail: [null, 'b'] } } as Location);
    expect(navigate(paged, { type: 'filter', filter: { status: 'failed' } })?.nav.at).toEqual({ ...runs, filter: { ...NO_FILTER, status: 'failed' } });
    expect(navigate(at(1, runs), { type: 'step', step: 'start' })).toBeNull();
    expect(navigate(at(1, runs), { type: 'run', flow: 'A', run: '../x' })).toBeNull();
    expect(navigate(at(1, { kind: 'run', flow: 'A', run: '1', page: 0 }), { type: 'step', step: 'not a step' })).toBeNull();
    expect(navigate(at(1, { kind: 'task', flow: 'A', run: '1', step: 's', task: '2', page: 0 }), { type: 'attempt', attempt: 1 })).toBeNull();
  });
});
