/**
 * `@metaflow …` mentions and direct messages end to end: Events API deliveries over signed
 * HTTP, answers read from the fake Slack's chat.postMessage calls.
 */
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot';
import type { Params } from '../support/fake-slack/http';
import { slackClient, type SlackClient } from '../support/signed';
import { button, eventFixture, flatText, messageButtonPress } from '../fixtures/slack';

const BOT = '<@U0BOT00001>';
const CHANNELS = Array.from({ length: 30 }, (_, i) => ({ id: `C0CONV${String(i).padStart(4, '0')}`, name: `conversations-${i}` }));
let channels = 0;
const freshChannel = (): string => CHANNELS[channels++].id;

let fake: FakeSlack;
let bot: TestBot;
let slack: SlackClient;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN, channels: CHANNELS });
  bot = await startTestBot({ slackApiUrl: fake.url });
  slack = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
});

interface Posted {
  call: FakeSlackCall;
  text: string;
}

/** Delivers `event`, checks the Events API ack, and returns the bot's answer to it. */
async function deliver(event: Params, options: { retryNum?: number; eventId?: string } = {}): Promise<Posted> {
  const res = await slack.event(event, options);
  expect(res.status).toBe(200);
  expect(res.elapsedMs).toBeLessThan(3000);
  const thread = event.thread_ts ?? event.ts;
  const call = await fake.waitFor('chat.postMessage', (c) => c.params.channel === event.channel && c.params.thread_ts === thread && !answered.has(c));
  answered.add(call);
  expect(call.status).toBe(200);
  return { call, text: flatText(call.params.blocks) };
}
const answered = new Set<FakeSlackCall>();

function mention(channel: string, words: string, threadTs?: string): Params {
  return eventFixture('app_mention', { channel, text: `${BOT} ${words}`.trim(), ...(threadTs ? { thread_ts: threadTs } : {}) });
}

/** Lets the bot finish whatever it might still post. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

describe('mentions in a channel', () => {
  it('obey a command in the first message of a new thread, answering in that thread', async () => {
    const event = mention(freshChannel(), 'runs HelloFlow');
    const { call, text } = await deliver(event);
    expect(call.params.thread_ts).toBe(event.ts);
    expect(text).toContain('3 runs, newest first');
    expect(text).toContain('1795835881413377');
  });

  it('answer an empty first message of a new thread with help', async () => {
    const { text } = await deliver(mention(freshChannel(), ''));
    expect(text).toContain('Metaflow in Slack');
    expect(text).toContain('@metaflow inspect [query]');
  });

  it('answer help asked in the first message of a thread', async () => {
    const { text } = await deliver(mention(freshChannel(), 'help logs'));
    expect(text).toContain('@metaflow logs train stderr');
  });

  it('answer a reply `how to …` in a thread with help', async () => {
    const channel = freshChannel();
    const first = mention(channel, 'inspect FailFlow/1795835906791541');
    await deliver(first);
    const { call, text } = await deliver(mention(channel, 'how to inspect', first.ts));
    expect(call.params.thread_ts).toBe(first.ts);
    expect(text).toContain('*Run queries*');
  });

  it('remember the run of a thread for later replies, apart from other threads', async () => {
    const channel = freshChannel();
    const thread = mention(channel, 'hello');
    await deliver(thread);
    await deliver(mention(channel, 'use FailFlow/1795835906791541', thread.ts));
    const status = await deliver(mention(channel, 'status', thread.ts));
    expect(status.text).toContain('in step `explode` (task `2`) with `ValueError`');

    const other = mention(channel, 'hi');
    await deliver(other);
    const elsewhere = await deliver(mention(channel, 'status', other.ts));
    expect(elsewhere.text).toContain('This conversation has no run yet.');
    expect(elsewhere.text).toContain('@metaflow use HelloFlow/42');
  });

  it('let a thread use the run chosen by a top-level message of its channel', async () => {
    const channel = freshChannel();
    const top = mention(channel, 'use ParamsFlow/1795835888659417');
    await deliver(top);
    const { text } = await deliver(mention(channel, 'params', top.ts));
    expect(text).toContain('`count` _int_  `7`');
  });

  it('answer a button on one of their messages in that message’s thread', async () => {
    const channel = freshChannel();
    const first = await deliver(mention(channel, 'runs'));
    const posted = first.call.response as { ts: string };
    const responseUrl = fake.mintResponseUrl();
    const pressed = await slack.action(
      messageButtonPress(button(first.call.params.blocks, 'pick_run', 'Runs'), {
        channel,
        responseUrl,
        message: { ts: posted.ts, thread_ts: first.call.params.thread_ts, blocks: first.call.params.blocks },
      }),
    );
    expect(pressed.status).toBe(200);
    const runs = await fake.waitFor('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === first.call.params.thread_ts && c !== first.call);
    expect(flatText(runs.params.blocks)).toContain('Runs of ArtifactsFlow');
  });
});

describe('direct messages', () => {
  it('obey a command and answer in its thread', async () => {
    const event = eventFixture('message_im', { text: 'status HelloFlow/1795835881413377' });
    const { call, text } = await deliver(event);
    expect(call.params.channel).toBe('D0ALICE001');
    expect(call.params.thread_ts).toBe(event.ts);
    expect(text).toContain('finished successfully');
  });

  it('suggest the closest command for text they do not understand, without a prefix', async () => {
    const { text } = await deliver(eventFixture('message_im', { text: 'parms please' }));
    expect(text).toContain('Did you mean `params`?');
  });

  it('ignore other bots and message subtypes such as edits', async () => {
    fake.clearCalls();
    answered.clear();
    for (const name of ['message_im_from_bot', 'message_im_changed'] as const) {
      const res = await slack.event(eventFixture(name));
      expect(res.status).toBe(200);
    }
    await settle();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('delivery', () => {
  it('answers an Events API retry (X-Slack-Retry-Num) of the same event only once', async () => {
    const event = mention(freshChannel(), 'version');
    const first = await slack.event(event, { eventId: 'Ev0RETRY0001' });
    expect(first.status).toBe(200);
    await fake.waitFor('chat.postMessage', (c) => c.params.channel === event.channel);
    const retry = await slack.event(event, { eventId: 'Ev0RETRY0001', retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    await settle();
    expect(fake.callsTo('chat.postMessage').filter((c) => c.params.channel === event.channel)).toHaveLength(1);
  });

  it('honours a Slack 429 on chat.postMessage: waits Retry-After, then posts', async () => {
    const event = mention(freshChannel(), 'version');
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const res = await slack.event(event);
    expect(res.status).toBe(200);
    const ok = await fake.waitFor('chat.postMessage', (c) => c.params.channel === event.channel && c.status === 200, 10_000);
    const limited = fake.callsTo('chat.postMessage').find((c) => c.status === 429);
    expect(limited).toBeDefined();
    expect(ok.at - (limited as FakeSlackCall).at).toBeGreaterThanOrEqual(950);
    expect(flatText(ok.params.blocks)).toContain('*metaflowbot*');
  });
});
