/**
 * A Slack 429 storm: the fake Web API answers 429 (Retry-After: 1 s) to the calls that carry an
 * answer — chat.postMessage for a mention, views.open and views.update for a modal — several
 * times in a row. The request is acknowledged at once, the answer gets through exactly once when
 * Slack accepts calls again, and the next command works normally: nothing stays stuck.
 *
 * Two expectations fail today and are marked so (see each `it.failing`): the Web API client
 * adds its own exponential back-off to Slack's Retry-After, and a modal command waits for
 * views.open past its trigger's 3-second life before answering another way.
 */
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot';
import { slackClient, type SlackClient } from '../support/signed';
import { eventFixture, flatText } from '../fixtures/slack';
import { ANSWER_WITHIN_MS } from './support/harness';

const STORM = { status: 429, retryAfter: 1, times: 2 };
/** Slack accepts again after the storm's Retry-After seconds. */
const STORM_ENDS_MS = STORM.times * STORM.retryAfter * 1000;

let fake: FakeSlack;
let bot: TestBot;
let slack: SlackClient;

beforeEach(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN });
  bot = await startTestBot({ slackApiUrl: fake.url });
  slack = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
});

afterEach(async () => {
  await bot.stop();
  await fake.close();
});

const accepted = (c: FakeSlackCall): boolean => c.status === 200 && (c.response as { ok?: boolean }).ok === true;

/** `@metaflow <words>` in a new thread; resolves with the accepted answers in that thread. */
async function mention(words: string, settleMs: number): Promise<{ ackMs: number; answers: { call: FakeSlackCall; afterMs: number }[] }> {
  const event = eventFixture('app_mention', { text: `<@U0BOT00001> ${words}` });
  const sentAt = Date.now();
  const res = await slack.event(event);
  expect(res.status).toBe(200);
  await fake.waitFor('chat.postMessage', (c) => c.params.thread_ts === event.ts && accepted(c), settleMs);
  await new Promise((r) => setTimeout(r, 300));
  const answers = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.params.thread_ts === event.ts && accepted(c)).map((call) => ({ call, afterMs: call.at - sentAt }));
  return { ackMs: res.elapsedMs, answers };
}

/** `/metaflow <text>`; resolves with the first accepted view or ephemeral message for it. */
async function command(text: string, timeoutMs: number): Promise<{ ackMs: number; call: FakeSlackCall; afterMs: number }> {
  const sentAt = Date.now();
  const res = await slack.command(text);
  expect(res.status).toBe(200);
  const path = new URL(res.sent.response_url).pathname;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = fake.calls.find((c) => accepted(c) && ((c.method === 'views.open' && c.params.trigger_id === res.sent.trigger_id) || (c.method === 'response_url' && c.url === path)));
    if (found) return { ackMs: res.elapsedMs, call: found, afterMs: found.at - sentAt };
    if (Date.now() > deadline) throw new Error(`nothing for /metaflow ${text} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function expectRecovered(): Promise<void> {
  const next = await mention('runs HelloFlow', ANSWER_WITHIN_MS);
  expect(next.answers).toHaveLength(1);
  expect(next.answers[0].afterMs).toBeLessThan(ANSWER_WITHIN_MS);
  const modal = await command('runs HelloFlow', ANSWER_WITHIN_MS);
  expect(modal.call.method).toBe('views.open');
  expect(modal.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
}

describe('chat.postMessage answering 429 to a mention', () => {
  it('acks at once, answers exactly once and in full once Slack accepts, then works normally', async () => {
    fake.failNext('chat.postMessage', STORM);
    const asked = await mention('runs HelloFlow', 20_000);
    expect(asked.ackMs).toBeLessThan(ANSWER_WITHIN_MS);
    expect(asked.answers).toHaveLength(1);
    expect(asked.answers[0].afterMs).toBeGreaterThanOrEqual(STORM_ENDS_MS);
    expect(flatText(asked.answers[0].call.params.blocks)).toContain('Runs of HelloFlow');
    expect(fake.callsTo('chat.postMessage').filter((c) => c.status === 429)).toHaveLength(STORM.times);
    await expectRecovered();
  }, 30_000);

  // Reported, not fixed: @slack/web-api waits Retry-After and then its p-retry back-off too
  // (fiveRetriesInFiveMinutes: 1 s, 3.9 s, 15 s …, src/slack/app.ts), so two 1-second 429s
  // delay the answer about 7 s instead of about 2 s.
  it.failing('answers within 3 s of Slack accepting calls again', async () => {
    fake.failNext('chat.postMessage', STORM);
    const asked = await mention('runs HelloFlow', 20_000);
    expect(asked.answers[0].afterMs - STORM_ENDS_MS).toBeLessThan(ANSWER_WITHIN_MS);
  }, 30_000);
});

describe('views.open answering 429 to a modal command', () => {
  it('still answers, once (as a message when the trigger expired meanwhile), then works normally', async () => {
    fake.failNext('views.open', STORM);
    const asked = await command('runs HelloFlow', 20_000);
    expect(asked.ackMs).toBeLessThan(ANSWER_WITHIN_MS);
    expect(flatText(asked.call.params.blocks ?? (asked.call.params.view as { blocks?: unknown }).blocks)).toContain('HelloFlow');
    await new Promise((r) => setTimeout(r, 500));
    const shown = fake.calls.filter((c) => accepted(c) && (c.method === 'response_url' || c.method === 'views.open'));
    expect(shown).toHaveLength(1);
    await expectRecovered();
  }, 30_000);

  // Reported, not fixed: openModal (src/slack/listeners/surface.ts) awaits views.open through
  // the client's rate-limit retries (about 7 s here) although the trigger_id lives 3 s; it
  // should give up at the trigger's deadline and answer on the response_url at once.
  it.failing('shows the user something within 3 s', async () => {
    fake.failNext('views.open', STORM);
    const asked = await command('runs HelloFlow', 20_000);
    expect(asked.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
  }, 30_000);
});

describe('views.update answering 429 after the loading view', () => {
  it('shows the loading view within 3 s, the runs once Slack accepts, then works normally', async () => {
    fake.failNext('views.update', STORM);
    const asked = await command('runs HelloFlow', 20_000);
    expect(asked.call.method).toBe('views.open');
    expect(asked.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
    const viewId = (asked.call.response as { view: { id: string } }).view.id;
    const updated = await fake.waitFor('views.update', (c) => c.params.view_id === viewId && accepted(c), 20_000);
    expect(flatText((updated.params.view as { blocks: unknown }).blocks)).toContain('HelloFlow');
    expect(fake.callsTo('views.update').filter((c) => c.params.view_id === viewId && accepted(c))).toHaveLength(1);
    await expectRecovered();
  }, 30_000);
});
