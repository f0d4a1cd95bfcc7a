/** Health, readiness and Prometheus metrics of the running bot, and logs without secrets. */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot';
import { slackClient } from '../support/signed';

let fake: FakeSlack;
let bot: TestBot;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN });
  bot = await startTestBot({ slackApiUrl: fake.url });
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
});

it('answers /healthz and, with Slack and Metaflow reachable, /readyz', async () => {
  expect((await fetch(`${bot.baseUrl}/healthz`)).status).toBe(200);
  const ready = await fetch(`${bot.baseUrl}/readyz`);
  expect(ready.status).toBe(200);
});

it('counts commands, acks, backend calls and cache use in /metrics', async () => {
  const slack = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
  const res = await slack.command('status HelloFlow/1795835881413377');
  expect(res.status).toBe(200);
  await fake.waitFor('response_url', (c) => c.url === new URL(res.sent.response_url).pathname);
  const metrics = await (await fetch(`${bot.baseUrl}/metrics`)).text();
  expect(metrics).toMatch(/metaflowbot_slack_requests_total\{kind="command",name="\/metaflow status",outcome="ok"\} 1/);
  expect(metrics).toMatch(/metaflowbot_slack_ack_seconds_count\{kind="command"\} [1-9]/);
  expect(metrics).toMatch(/metaflowbot_backend_call_seconds_count\{backend="local",call="getRun"\} [1-9]/);
  expect(metrics).toMatch(/metaflowbot_cache_misses [1-9]/);
  expect(metrics).toContain('metaflowbot_process_resident_memory_bytes');
  expect(metrics).not.toContain(TEST_BOT_TOKEN);
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
