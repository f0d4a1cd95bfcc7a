/** The poster against the fake Slack (strict, rate-limited like Slack) and the in-memory store. */
import { webApi } from '@slack/bolt';
import { checkLease, NOTIFIER_DEFAULTS } from '../../src/notify';
import { noticeMetadata } from '../../src/notify/earlier';
import { Poster } from '../../src/notify/poster';
import { toJson, type FailureDetails, type RunSnapshot } from '../../src/notify/payload';
import { createLogger } from '../../src/observability/logger';
import { Metrics } from '../../src/observability/metrics';
import { MemoryStateStore } from '../../src/state/memory';
import type { NotificationKey, StateStore, Transition } from '../../src/state/store';
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
let slack: webApi.WebClient;
let posters: Poster[];
let poster: Poster;
let metrics: Metrics;
/** What the posters logged, one JSON object a line. */
let logged: string[];
let n = 0;

function newPoster(owner: string, claimLimit = 4): Poster {
  const logger = createLogger('info', { write: (line: string) => void logged.push(line) });
  const made = new Poster({ state, slack, posts: slack, owner, uiUrl: null, lostAfterMs: 60_000, leaseMs: 60_000, claimLimit, idleMs: 50, channelIntervalMs: 1000, logger, metrics });
  posters.push(made);
  return made;
}

beforeEach(async () => {
  fake = await startFakeSlack({ channels: CHANNELS, rateLimits: { 'chat.postMessage': { limit: 1, windowMs: 1000, per: 'channel' } } });
  state = new MemoryStateStore();
  metrics = new Metrics();
  logged = [];
  posters = [];
  slack = new webApi.WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 2000 });
  poster = newPoster('poster-1');
});

afterEach(async () => {
  await Promise.all(posters.map((p) => p.stop()));
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

const key = (channel: string, id: string, transition: Transition): NotificationKey => ({ channel, run: `HelloFlow/${id}`, transition });

/** A poster that claimed everything due, then died (its lease runs out at once). */
async function claimedByADeadPoster(): Promise<void> {
  await state.claimPending('dead-poster', 10, 1);
  await new Promise((r) => setTimeout(r, 5));
}

const aSecond = (): Promise<void> => new Promise((r) => setTimeout(r, 1000));

/** What the dead poster got through to Slack before it died: the notice, with its metadata.
 *  A second apart from the posts around it, as Slack wants in one channel. */
async function postedBeforeDying(k: NotificationKey, threadTs?: string): Promise<string> {
  await aSecond();
  const res = await slack.chat.postMessage({ channel: k.channel, text: 'posted before the crash', metadata: noticeMetadata(k), ...(threadTs ? { thread_ts: threadTs } : {}) });
  await aSecond();
  return res.ts as string;
}

const warnings = (): string[] => logged.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => l.level === 40).map((l) => l.msg);

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
    // 4 items, each a lookup and an edit of up to 2 × 5 s plus back-off, a post of up to 5 s,
    // and two seconds' turns.
    expect(() => checkLease({ ...NOTIFIER_DEFAULTS, leaseMs: 60_000 })).toThrow('notification lease of 60000 ms is too short: posting a batch can take 112000 ms');
    expect(() => checkLease({ ...NOTIFIER_DEFAULTS, claimLimit: 1, requestTimeoutMs: 2000, retries: 0, leaseMs: 16_000 })).not.toThrow();
    expect(() => checkLease({ ...NOTIFIER_DEFAULTS, claimLimit: 1, requestTimeoutMs: 2000, retries: 0, leaseMs: 10_000 })).toThrow(RangeError);
  });

  it('drops an item it cannot read', async () => {
    await state.enqueue({ channel: A, run: 'HelloFlow/x', transition: 'started', payload: { something: 'else' } });
    poster.start();
    await until(async () => (await state.counts()).abandoned === 1);
    expect(posts()).toEqual([]);
  });
});

describe('Poster, on an item claimed again', () => {
  it('records the card an earlier attempt posted instead of posting it again, and posts the one that never got out', async () => {
    const [reached, lost] = [String(++n), String(++n)];
    const before = Date.now();
    await enqueue(A, reached, 'started');
    await enqueue(A, lost, 'started');
    await claimedByADeadPoster();
    const ts = await postedBeforeDying(key(A, reached, 'started'));
    poster.start();
    await until(settled, 4000);
    expect(await state.runMessage(A, `HelloFlow/${reached}`)).toEqual({ channel: A, ts });
    const mine = posts(A).filter((c) => c.params.text !== 'posted before the crash');
    expect(mine.map((c) => (c.params.metadata as { event_payload: { run: string } }).event_payload.run)).toEqual([`HelloFlow/${lost}`]);
    expect(await state.runMessage(A, `HelloFlow/${lost}`)).toEqual({ channel: A, ts: (mine[0].response as { ts: string }).ts });
    // One read of the channel served both items, from before they were enqueued, with metadata.
    const reads = fake.callsTo('conversations.history');
    expect(reads).toHaveLength(1);
    expect(reads[0].params).toMatchObject({ channel: A, include_all_metadata: 'true' });
    expect(Number(reads[0].params.oldest) * 1000).toBeLessThanOrEqual(before);
    expect(await state.counts()).toMatchObject({ posted: 2, pending: 0, inflight: 0 });
  });

  it('finds an event an earlier attempt told in the card’s thread; tells the one it did not', async () => {
    const [told, untold] = [String(++n), String(++n)];
    for (const id of [told, untold]) await enqueue(B, id, 'started');
    poster.start();
    await until(settled);
    await poster.stop();
    const cards = [(await state.runMessage(B, `HelloFlow/${told}`))!, (await state.runMessage(B, `HelloFlow/${untold}`))!];
    // The failures' first attempt: one reply got out, then its poster died.
    for (const id of [told, untold]) await enqueue(B, id, 'failed');
    await claimedByADeadPoster();
    await postedBeforeDying(key(B, told, 'failed'), cards[0].ts);
    const updatesBefore = fake.callsTo('chat.update').length;
    newPoster('poster-2').start();
    await until(settled, 5000);
    expect(fake.callsTo('conversations.replies').map((c) => c.params.ts).sort()).toEqual(cards.map((c) => c.ts).sort());
    const failures = posts(B).filter((c) => (c.params.metadata as { event_payload: { transition: string } }).event_payload.transition === 'failed');
    expect(failures.map((c) => [(c.params.metadata as { event_payload: { run: string } }).event_payload.run, c.params.text === 'posted before the crash'])).toEqual([
      [`HelloFlow/${told}`, true],
      [`HelloFlow/${untold}`, false],
    ]);
    // Only the untold one edits its card: the told one's edit came before its reply.
    expect(fake.callsTo('chat.update').slice(updatesBefore).map((c) => c.params.ts)).toEqual([cards[1].ts]);
    expect(await state.counts()).toMatchObject({ posted: 4, pending: 0, inflight: 0 });
  });

  it('posts without looking when Slack refuses to show the channel, and says so once per channel', async () => {
    const ids = [String(++n), String(++n)];
    for (const id of ids) await enqueue(A, id, 'started');
    await claimedByADeadPoster();
    fake.failNext('conversations.history', { error: 'missing_scope' });
    poster.start();
    await until(settled, 4000);
    expect(posts(A)).toHaveLength(2);
    expect(warnings().filter((w) => w.includes('refused to show the channel history'))).toHaveLength(1);
  });

  it('posts, and says so, when the channel got more messages since than one read shows', async () => {
    const id = String(++n);
    await enqueue(A, id, 'started');
    await claimedByADeadPoster();
    for (let i = 0; i < 120; i++) fake.postAs('U0BOB00001', A, { text: `chatter ${i}` });
    poster.start();
    await until(settled, 4000);
    expect(posts(A)).toHaveLength(1);
    expect(warnings().filter((w) => w.includes('too many messages since the item was enqueued'))).toHaveLength(1);
  });

  it('hands the item back with the Retry-After of a 429 on the lookup, then looks again', async () => {
    const id = String(++n);
    await enqueue(A, id, 'started');
    await claimedByADeadPoster();
    fake.failNext('conversations.history', { status: 429, retryAfter: 1 });
    poster.start();
    await until(async () => (await state.pending())[0]?.error?.includes('looking for an earlier post') ?? false);
    const [waiting] = await state.pending();
    expect(waiting.status).toBe('pending');
    expect(waiting.dueAt - Date.now()).toBeGreaterThan(500);
    expect(posts(A)).toEqual([]);
    await until(settled, 4000);
    expect(fake.callsTo('conversations.history').map((c) => c.status)).toEqual([429, 200]);
    expect(posts(A)).toHaveLength(1);
  });

  it('takes back at once, on its first round, what a previous life under its id held', async () => {
    const id = String(++n);
    await enqueue(A, id, 'started');
    // Leased for ten minutes to this poster's id: a kill -9 left it in flight.
    expect(await state.claimPending('poster-1', 10, 10 * 60 * 1000)).toHaveLength(1);
    poster.start();
    await until(settled, 3000);
    expect(posts(A)).toHaveLength(1);
    expect(fake.callsTo('conversations.history')).toHaveLength(1);
  });
});

describe('Posters sharing a store', () => {
  it('take turns in a channel: one message a second between them, never a 429', async () => {
    const ids = [String(++n), String(++n), String(++n), String(++n)];
    for (const id of ids) await enqueue(A, id, 'started');
    // One item a claim each, so both are posting to the channel at once.
    const [one, two] = [newPoster('poster-a', 1), newPoster('poster-b', 1)];
    one.start();
    two.start();
    await until(settled, 8000);
    const times = posts(A).map((c) => c.at);
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1000);
    expect(fake.calls.filter((c) => c.status === 429)).toEqual([]);
  });
});
