/**
 * Health, readiness and Prometheus metrics of the running bot, and structured logs that carry
 * request ids and no secrets.
 */
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/main';
import { createLogger } from '../../src/observability/logger';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../support/bot';
import { ChangingMetaflow } from '../support/changing-metaflow';
import { LOCAL_ROOT } from '../support/fixtures';
import { slackClient, type SlackClient } from '../support/signed';
import { button, ephemeralButtonPress, eventFixture } from '../fixtures/slack';
import { ask, startFaultHarness, type FaultHarness } from '../faults/support/harness';

const RUN = 'HelloFlow/1795835881413377';

let fake: FakeSlack;
let bot: RunningBot & { baseUrl: string };
let slack: SlackClient;
/** Every line the bot logged, parsed. */
const logged: Record<string, unknown>[] = [];

function logSink(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter((l) => l !== '')) logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
}

beforeAll(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN });
  // Configured as an operator would, so that its logger is the one under test, at info.
  const config = loadConfig({
    env: {
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      METAFLOWBOT_STATE_PATH: ':memory:',
      METAFLOW_HOME: '/nonexistent-metaflow-home',
      METAFLOW_DATASTORE_SYSROOT_LOCAL: dirname(LOCAL_ROOT),
    },
  });
  const running = await startBot(config, createLogger(config.logLevel, logSink()));
  bot = { ...running, baseUrl: `http://127.0.0.1:${running.port}` };
  slack = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
});

async function scrape(baseUrl = bot.baseUrl): Promise<string> {
  return (await fetch(`${baseUrl}/metrics`)).text();
}

/** One series' value in Prometheus text (labels exactly these, in any order); 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    const same = Object.keys(got).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => got[k] === v);
    if (same) return Number(m[3]);
  }
  return 0;
}

/** Scrapes until `series` exceeds `above`: the counters some work bumps after Slack saw it. */
async function counted(name: string, labels: Record<string, string>, above: number, baseUrl = bot.baseUrl, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = sample(await scrape(baseUrl), name, labels);
    if (value > above || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `/metaflow <text>`, waited for until its answer reached the response_url. */
async function command(text: string) {
  const res = await slack.command(text);
  expect(res.status).toBe(200);
  const answer = await fake.waitFor('response_url', (c) => c.url === new URL(res.sent.response_url).pathname);
  return { res, answer };
}

/** `@metaflow version` in a channel, answered with chat.postMessage in its thread; the answer's first try, or its first one Slack took. */
async function mention(until: 'tried' | 'posted'): Promise<FakeSlackCall> {
  const event = eventFixture('app_mention', { text: '<@U0BOT00001> version' });
  expect((await slack.event(event)).status).toBe(200);
  const posted = (c: FakeSlackCall): boolean => c.status === 200 && (c.response as { ok?: boolean }).ok === true;
  return fake.waitFor('chat.postMessage', (c) => c.params.thread_ts === event.ts && (until === 'tried' || posted(c)), 10_000);
}

it('answers /healthz and, with Slack and Metaflow reachable, /readyz', async () => {
  expect((await fetch(`${bot.baseUrl}/healthz`)).status).toBe(200);
  const ready = await fetch(`${bot.baseUrl}/readyz`);
  expect(ready.status).toBe(200);
});

it('counts commands, acks, backend calls and cache use in /metrics', async () => {
  await command(`status ${RUN}`);
  const metrics = await scrape();
  expect(metrics).toMatch(/metaflowbot_slack_requests_total\{kind="command",name="\/metaflow status",outcome="ok"\} 1/);
  expect(metrics).toMatch(/metaflowbot_slack_ack_seconds_count\{kind="command"\} [1-9]/);
  expect(metrics).toMatch(/metaflowbot_backend_call_seconds_count\{backend="local",call="getRun"\} [1-9]/);
  expect(metrics).toMatch(/metaflowbot_cache_misses [1-9]/);
  expect(metrics).toContain('metaflowbot_process_resident_memory_bytes');
  expect(metrics).not.toContain(TEST_BOT_TOKEN);
});

it('shows the cache hit ratio: hits over all reads, once reads have been answered from the cache', async () => {
  await command(`status ${RUN}`);
  await command(`status ${RUN}`);
  const metrics = await scrape();
  const hits = sample(metrics, 'metaflowbot_cache_hits');
  const misses = sample(metrics, 'metaflowbot_cache_misses');
  expect(hits).toBeGreaterThan(0);
  expect(sample(metrics, 'metaflowbot_cache_hit_ratio')).toBeCloseTo(hits / (hits + misses), 6);
  expect(sample(metrics, 'metaflowbot_cache_entries')).toBeGreaterThan(0);
  expect(sample(metrics, 'metaflowbot_cache_bytes')).toBeGreaterThan(0);
});

it('counts a button press as an action request, with its latency and ack', async () => {
  const labels = { kind: 'action', name: 'share_in_channel' };
  const before = await scrape();
  const { answer } = await command(`status ${RUN}`);
  const responseUrl = fake.mintResponseUrl();
  const press = await slack.action(ephemeralButtonPress(button(answer.params.blocks, 'share_in_channel'), { channel: 'C0GENERAL1', responseUrl }));
  expect(press.status).toBe(200);
  await fake.waitFor('response_url', (c) => c.url === new URL(responseUrl).pathname);
  const handled = sample(before, 'metaflowbot_slack_requests_total', { ...labels, outcome: 'ok' });
  expect(await counted('metaflowbot_slack_requests_total', { ...labels, outcome: 'ok' }, handled)).toBe(handled + 1);
  const after = await scrape();
  expect(sample(after, 'metaflowbot_slack_request_seconds_count', labels)).toBe(sample(before, 'metaflowbot_slack_request_seconds_count', labels) + 1);
  expect(sample(after, 'metaflowbot_slack_ack_seconds_count', { kind: 'action' })).toBe(sample(before, 'metaflowbot_slack_ack_seconds_count', { kind: 'action' }) + 1);
});

it('counts Slack API errors by method and error code', async () => {
  const labels = { method: 'chat.postMessage', error: 'channel_not_found' };
  const before = sample(await scrape(), 'metaflowbot_slack_api_errors_total', labels);
  fake.failNext('chat.postMessage', { error: 'channel_not_found' });
  expect((await mention('tried')).response).toMatchObject({ ok: false, error: 'channel_not_found' });
  expect(await counted('metaflowbot_slack_api_errors_total', labels, before)).toBe(before + 1);
});

it('counts Slack 429s by method, and the retried call still gets through', async () => {
  const labels = { method: 'chat.postMessage' };
  const before = sample(await scrape(), 'metaflowbot_slack_api_rate_limited_total', labels);
  fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
  const posted = await mention('posted');
  expect(fake.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === posted.params.thread_ts).map((c) => c.status)).toEqual([429, 200]);
  expect(await counted('metaflowbot_slack_api_rate_limited_total', labels, before)).toBe(before + 1);
});

it('logs each Slack request once, with its own request id and no secret', async () => {
  const from = logged.length;
  await command('version');
  await command('version');
  const handled = logged.slice(from).filter((l) => l.msg === 'slack request handled' && l.name === '/metaflow version');
  expect(handled).toHaveLength(2);
  for (const line of handled) {
    expect(line).toMatchObject({ kind: 'command', requestId: expect.stringMatching(/^\S{8,}$/) });
  }
  expect(handled[0].requestId).not.toBe(handled[1].requestId);
  expect(JSON.stringify(logged)).not.toContain(TEST_BOT_TOKEN);
  expect(JSON.stringify(logged)).not.toContain(TEST_SIGNING_SECRET);
});

it('refuses readiness while Slack refuses the token', async () => {
  fake.failNext('auth.test', { error: 'invalid_auth' });
  const ready = await fetch(`${bot.baseUrl}/readyz`);
  expect(ready.status).toBe(503);
  expect(JSON.stringify(await ready.json())).not.toContain(TEST_BOT_TOKEN);
});

it('redacts secrets from structured logs wherever they sit', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('info', sink);
  logger.info({ token: 'xoxb-secret-1', config: { signingSecret: 'abc123', authKey: 'k' }, headers: { authorization: 'Bearer xoxb-secret-2' } }, 'starting');
  const out = lines.join('');
  expect(out).toContain('"token":"***"');
  for (const secret of ['xoxb-secret-1', 'abc123', 'Bearer xoxb-secret-2', '"authKey":"k"']) expect(out).not.toContain(secret);
});

describe('run notifications', () => {
  let mf: ChangingMetaflow;
  let watcher: RunningBot & { baseUrl: string };

  beforeAll(async () => {
    mf = await ChangingMetaflow.create(['CountedFlow']);
    watcher = await startTestBot({ slackApiUrl: fake.url, metaflowRoot: mf.root, pollIntervalMs: 300, notifier: { idleMs: 200 } });
  });

  afterAll(async () => {
    await watcher.stop();
    await mf.remove();
  });

  it('counts the notification of a failed run in a watching channel', async () => {
    const watching = slackClient({ baseUrl: watcher.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
    const res = await watching.command('watch CountedFlow', { channel_id: 'C0GENERAL1' });
    expect(res.status).toBe(200);
    await fake.waitFor('response_url', (c) => c.url === new URL(res.sent.response_url).pathname);
    const run = await mf.appear('CountedFlow');
    await mf.fail('CountedFlow', run);
    await fake.waitFor('chat.postMessage', (c) => (c.params.metadata as { event_payload?: { run?: string } } | undefined)?.event_payload?.run === `CountedFlow/${run}`, 10_000);
    expect(await counted('metaflowbot_notifications_sent_total', { transition: 'failed' }, 0, watcher.baseUrl)).toBe(1);
  });
});

describe('with the Metaflow metadata service failing', () => {
  let h: FaultHarness;

  beforeAll(async () => {
    h = await startFaultHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  afterEach(() => {
    h.service.clearFaults();
  });

  it('counts backend errors by backend, call and error', async () => {
    const labels = { backend: 'service', call: 'getRun', error: 'BackendUnavailableError' };
    h.service.inject({ kind: 'status', status: 500, times: Infinity, path: '/flows/HelloFlow/runs/9' });
    const asked = await ask(h, 'status HelloFlow/9');
    await asked.answer(1, 15_000);
    expect(await counted('metaflowbot_backend_errors_total', labels, 0, h.bot.baseUrl)).toBeGreaterThan(0);
  }, 40_000);

  it('turns /readyz to 503 as soon as the service is down, though a ready answer was just given', async () => {
    expect((await fetch(`${h.bot.baseUrl}/readyz`)).status).toBe(200);
    await h.serviceProxy.down();
    try {
      const ready = await fetch(`${h.bot.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(JSON.stringify(await ready.json())).not.toContain(TEST_BOT_TOKEN);
    } finally {
      await h.serviceProxy.up();
    }
    expect((await fetch(`${h.bot.baseUrl}/readyz`)).status).toBe(200);
  }, 30_000);
});
