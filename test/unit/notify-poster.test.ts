/** The poster against the fake Slack (strict, rate-limited like Slack) and the in-memory store. */
import { webApi } from '@slack/bolt';
import { checkLease, NOTIFIER_DEFAULTS } from '../../src/notify';
import { Poster } from '../../src/notify/poster';
import { toJson, type FailureDetails, type RunSnapshot } from '../../src/notify/payload';
import { createLogger } from '../../src/observability/logger';
import { Metrics } from '../../src/observability/metrics';
import { MemoryStateStore } from '../../src/state/memory';
import type { StateStore, Transition } from '../../src/state/store';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack';
import { flatText } from '../fixtures/slack';

const CHANNELS = [
  { id: 'C0POSTA001', name: 'a' },
  { id: 'C0POSTB001', name: 'b' },
  { id: 'C0OUTSIDE1', name: 'outside', isMember: false },
];
const [A, B, OUTSIDE] = CHANNELS.map((c) => c.id);

let fake: FakeSlack;
let state: StateStore;
let poster: Poster;
let metrics: Metrics;
let n = 0;

beforeEach(async () => {
  fake = await startFakeSlack({ channels: CHANNELS, rateLimits: { 'chat.postMessage': { limit: 1, windowMs: 1000, per: 'channel' } } });
  state = new MemoryStateStore();
  metrics = new Metrics();
  const slack = new webApi.WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 2000 });
  poster = new Poster({
    state,
    slack,
    owner: 'poster-1',
    uiUrl: null,
    lostAfterMs: 60_000,
    leaseMs: 60_000,
    claimLimit: 4,
    idleMs: 50,
    channelIntervalMs: 1000,
    logger: createLogger('silent'),
    metrics,
  });
});

afterEach(async () => {
  await poster.stop();
  await state.close();
  await fake.close();
});

function snapshot(id: string, status: RunSnapshot['status']): RunSnapshot {
  const t = Date.now();
  return { pathspec: `HelloFlow/${id}`, flow: 'HelloFlow', id, user: 'alice', tags: [], systemTags: [], createdAt: t, finishedAt: status === 'running' ? null : t, durationMs: 0, status, lastSeenAt: t };
}

const FAILURE: FailureDetails = { step: 'a', task: '2', attempt: 0, exception: { type: 'builtins.ValueError', message: 'boom' }, stderr: ['ValueError: boom', 'Task failed.'] };

async function enqueue(channel: string, id: string, transition: Transition): Promise<void> {
  const status = transition === 'started' ? 'running' : transition;
  await state.enqueue({ channel, run: `HelloFlow/${id}`, transition, payload: toJson({ run: snapshot(id, status), failure: transition === 'failed' ? FAILURE : null }) });
}

const posts = (channel?: string): FakeSlackCall[] => fake.callsTo('chat.postMessage').filter((c) => c.status === 200 && c.response !== null && (c.response as { ok: boolean }).ok && (channel === undefined || c.params.channel === channel));

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const settled = async (): Promise<boolean> => (await state.pending()).length === 0;

describe('Poster', () => {
  it('posts a run card first, then edits it and replies in its thread; records each post', async () => {
    const id = String(++n);
    await enqueue(A, id, 'started');
    await enqueue(A, id, 'failed');
    poster.start();
    await until(settled);
    const [card, reply] = posts(A);
    expect(card.params.thread_ts).toBeUndefined();
    expect(card.params.metadata).toEqual({ event_type: 'metaflow_run_notification', event_payload: { run: `HelloFlow/${id}`, transition: 'started' } });
    const cardTs = (card.response as { ts: string }).ts;
    const [update] = fake.callsTo('chat.update');
    expect(update.params).toMatchObject({ channel: A, ts: cardTs });
    expect(flatText(update.params.blocks)).toContain('failed in step `a`');
    expect(reply.params.thread_ts).toBe(cardTs);
    expect(flatText(reply.params.blocks)).toContain('Task failed.');
    expect(await state.runMessage(A, `HelloFlow/${id}`)).toEqual({ channel: A, ts: cardTs });
    expect(await state.counts()).toMatchObject({ posted: 2, pending: 0, inflight: 0 });
    expect((await metrics.notifications.get()).values.map((v) => [v.labels.transition, v.value])).toEqual([['started', 1], ['failed', 1]]);
  });

  it('posts at most one message a second per channel, without holding up other channels', async () => {
    for (let i = 0; i < 3; i++) await enqueue(A, String(++n), 'started');
    await enqueue(B, String(++n), 'started');
    const started = Date.now();
    poster.start();
    await until(settled);
    const times = posts(A).map((c) => c.at);
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1000);
    expect(posts(B)[0].at - started).toBeLessThan(500);
    expect(fake.calls.filter((c) => c.status === 429)).toEqual([]);
  });

  it('hands a rate-limited item back with Slack’s Retry-After, then posts it once', async () => {
    const id = String(++n);
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await enqueue(A, id, 'started');
    poster.start();
    await until(async () => (await state.pending())[0]?.error?.includes('RateLimited') ?? false);
    const [waiting] = await state.pending();
    expect(waiting.status).toBe('pending');
    expect(waiting.dueAt - Date.now()).toBeGreaterThan(500);
    await until(settled, 4000);
    expect(posts(A)).toHaveLength(1);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.status === 429)).toHaveLength(1);
  });

  it('gives up on what retrying cannot fix, and retries later what it can', async () => {
    await enqueue(OUTSIDE, String(++n), 'started');
    poster.start();
    await until(async () => (await state.counts()).abandoned === 1);
    expect(fake.callsTo('chat.postMessage').map((c) => (c.response as { error?: string }).error)).toEqual(['not_in_channel']);
    fake.failNext('chat.postMessage', { status: 500 });
    const retried = String(++n);
    await enqueue(A, retried, 'started');
    poster.nudge();
    await until(async () => (await state.pending()).some((i) => i.error !== null));
    const [later] = await state.pending();
    expect(later).toMatchObject({ run: `HelloFlow/${retried}`, status: 'pending' });
    expect(later.dueAt - Date.now()).toBeGreaterThan(3000);
  });

  it('still tells the news in the thread when the card cannot be edited', async () => {
    const id = String(++n);
    await enqueue(A, id, 'started');
    await enqueue(A, id, 'successful');
    fake.failNext('chat.update', { error: 'message_not_found' });
    poster.start();
    await until(settled);
    const [card, reply] = posts(A);
    expect(reply.params.thread_ts).toBe((card.response as { ts: string }).ts);
    expect(flatText(reply.params.blocks)).toContain('Finished successfully');
  });

  it('refuses a lease that a batch of posts could outlast', () => {
    expect(() => checkLease(NOTIFIER_DEFAULTS)).not.toThrow();
    // 4 items, each an edit and a post of up to 3 × 5 s plus back-off, and a second's pacing.
    expect(() => checkLease({ ...NOTIFIER_DEFAULTS, leaseMs: 60_000 })).toThrow('notification lease of 60000 ms is too short: posting a batch can take 140000 ms');
    expect(() => checkLease({ ...NOTIFIER_DEFAULTS, claimLimit: 1, requestTimeoutMs: 2000, retries: 0, leaseMs: 10_000 })).not.toThrow();
  });

  it('drops an item it cannot read', async () => {
    await state.enqueue({ channel: A, run: 'HelloFlow/x', transition: 'started', payload: { something: 'else' } });
    poster.start();
    await until(async () => (await state.counts()).abandoned === 1);
    expect(posts()).toEqual([]);
  });
});
