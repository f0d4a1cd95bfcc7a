import type { Run } from '../../src/metaflow/model';
import type { Subscription } from '../../src/state/store';
import { change, channelsFor, firstSight, LOST_FOLLOWED_MS, matches, stillFollowed, SUBSCRIPTION_GRACE_MS, transitionTime } from '../../src/notify/transitions';
import { isNewerRun } from '../../src/notify/watcher';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const LOST_AFTER = 6 * 60 * 1000;

function run(over: Partial<Run> = {}): Run {
  return {
    pathspec: 'HelloFlow/42',
    flow: 'HelloFlow',
    id: '42',
    user: 'alice',
    tags: ['nightly'],
    systemTags: ['user:alice', 'project:fraud', 'runtime:dev'],
    createdAt: T0,
    finishedAt: null,
    durationMs: 1000,
    status: 'running',
    lastSeenAt: T0 + 1000,
    ...over,
  };
}

function sub(over: Partial<Subscription> = {}): Subscription {
  return { id: 's', channel: 'C1', flow: 'HelloFlow', events: ['started', 'failed', 'successful', 'lost'], createdBy: 'U1', createdAt: T0 - 1000, ...over };
}

describe('transitions', () => {
  it('a run seen for the first time started, and may have ended already', () => {
    expect(firstSight(run(), LOST_AFTER).map((d) => d.transition)).toEqual(['started']);
    expect(firstSight(run({ status: 'failed', finishedAt: T0 + 5000 }), LOST_AFTER).map((d) => d.transition)).toEqual(['started', 'failed']);
    expect(firstSight(run({ status: 'lost' }), LOST_AFTER).map((d) => d.transition)).toEqual(['started', 'lost']);
  });

  it('a followed run reports only a changed status, and only an ending', () => {
    expect(change('running', run(), LOST_AFTER)).toEqual([]);
    expect(change('running', run({ status: 'successful', finishedAt: T0 + 9000 }), LOST_AFTER).map((d) => d.transition)).toEqual(['successful']);
    expect(change('failed', run({ status: 'failed' }), LOST_AFTER)).toEqual([]);
    // A retry after a failure makes it run again: nothing to tell until it ends again.
    expect(change('failed', run({ status: 'running' }), LOST_AFTER)).toEqual([]);
    // Unknown before (a new leader): an ended run is told again; the outbox keeps the first.
    expect(change(undefined, run({ status: 'failed' }), LOST_AFTER).map((d) => d.transition)).toEqual(['failed']);
  });

  it('dates each transition by what Metaflow recorded, so detecting it again gives the same time', () => {
    expect(transitionTime(run(), 'started', LOST_AFTER)).toBe(T0);
    expect(transitionTime(run({ finishedAt: T0 + 7000 }), 'failed', LOST_AFTER)).toBe(T0 + 7000);
    expect(transitionTime(run({ lastSeenAt: T0 + 2000 }), 'lost', LOST_AFTER)).toBe(T0 + 2000 + LOST_AFTER);
  });

  it('follows running runs, failed ones while a retry may still come, and lost ones for a day', () => {
    const now = T0 + 10_000;
    expect(stillFollowed(run(), now, LOST_AFTER)).toBe(true);
    expect(stillFollowed(run({ status: 'failed', lastSeenAt: now - 1000 }), now, LOST_AFTER)).toBe(true);
    expect(stillFollowed(run({ status: 'failed', lastSeenAt: now - LOST_AFTER - 1 }), now, LOST_AFTER)).toBe(false);
    expect(stillFollowed(run({ status: 'successful' }), now, LOST_AFTER)).toBe(false);
    expect(stillFollowed(run({ status: 'lost', lastSeenAt: now - LOST_AFTER - 1 }), now, LOST_AFTER)).toBe(true);
    expect(stillFollowed(run({ status: 'lost', lastSeenAt: now - LOST_FOLLOWED_MS - 1 }), now, LOST_AFTER)).toBe(false);
  });
});

describe('which subscriptions hear a transition', () => {
  const started = firstSight(run(), LOST_AFTER)[0];

  it('matches on event, user, tag (user or system) and project', () => {
    expect(matches(sub(), started)).toBe(true);
    expect(matches(sub({ events: ['failed', 'lost'] }), started)).toBe(false);
    expect(matches(sub({ user: 'alice' }), started)).toBe(true);
    expect(matches(sub({ user: 'bob' }), started)).toBe(false);
    expect(matches(sub({ tag: 'nightly' }), started)).toBe(true);
    expect(matches(sub({ tag: 'runtime:dev' }), started)).toBe(true);
    expect(matches(sub({ tag: 'weekly' }), started)).toBe(false);
    expect(matches(sub({ project: 'fraud' }), started)).toBe(true);
    expect(matches(sub({ project: 'churn' }), started)).toBe(false);
    expect(matches(sub({ user: 'alice', tag: 'nightly', project: 'churn' }), started)).toBe(false);
  });

  it('hears what happened after it was made (with a grace for clocks), not history', () => {
    expect(matches(sub({ createdAt: T0 + SUBSCRIPTION_GRACE_MS }), started)).toBe(true);
    expect(matches(sub({ createdAt: T0 + SUBSCRIPTION_GRACE_MS + 1 }), started)).toBe(false);
    // An old run that is lost now: it became lost after the subscription, so it is news.
    const lost = change('running', run({ status: 'lost', lastSeenAt: T0 }), LOST_AFTER)[0];
    expect(matches(sub({ createdAt: T0 + LOST_AFTER - 1000 }), lost)).toBe(true);
  });

  it('names each channel once, however many of its subscriptions match', () => {
    const subs = [sub({ id: 'a' }), sub({ id: 'b', user: 'alice' }), sub({ id: 'c', channel: 'C2', tag: 'nightly' }), sub({ id: 'd', channel: 'C3', user: 'bob' })];
    expect(channelsFor(subs, started)).toEqual(['C1', 'C2']);
  });
});

describe('isNewerRun', () => {
  it.each([
    ['1795835881413378', '1795835881413377', true],
    ['1795835881413377', '1795835881413377', false],
    ['999', '1000', false],
    ['1000', '999', true],
    ['argo-x.2', 'argo-x.1', true],
    ['argo-x.1', 'argo-x.1', false],
  ])('%s after %s: %s', (id, newest, want) => {
    expect(isNewerRun(id, newest)).toBe(want);
  });
});
