/**
 * The Metaflow metadata service failing under a running bot: refusing connections, answering
 * after 10 seconds, answering garbage. The user hears one clear sentence within 3 seconds of
 * the command, and the next command works once the fault is gone, with no restart.
 *
 * `status` answers in an ephemeral message once Metaflow has been read; `runs` opens a modal
 * (loading view first, the data after). Each test gets its own bot, so no cache hides a fault.
 */
import type { FakeSlackCall } from '../support/fake-slack';
import { loadConfig } from '../../src/config';
import { startBot } from '../../src/main';
import { TEST_SIGNING_SECRET } from '../support/bot';
import { slackClient } from '../support/signed';
import { eventFixture, flatText } from '../fixtures/slack';
import { ANSWER_WITHIN_MS, ask, expectClearSentence, serviceBotEnv, startFaultHarness, type FaultHarness } from './support/harness';

let h: FaultHarness;

beforeEach(async () => {
  h = await startFaultHarness();
});

afterEach(async () => {
  await h.close();
});

/** The fault is over: the same question gets the real answer, promptly. */
async function expectRecovered(text: string, expected: string): Promise<void> {
  const asked = await ask(h, text);
  const answer = await asked.answer(1, ANSWER_WITHIN_MS);
  expect(answer.text).toContain(expected);
  expect(answer.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
}

const STATUS = 'status HelloFlow/9';
const STATUS_ANSWER = 'HelloFlow/9';

it('down (connection refused): says so within 3 s, then works again once it is back', async () => {
  await h.serviceProxy.down();
  try {
    const asked = await ask(h, STATUS);
    expect(asked.ackMs).toBeLessThan(ANSWER_WITHIN_MS);
    const first = await asked.answer(1, 10_000);
    expect(first.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
    expectClearSentence(first);
    // Retries end in the failure itself, whether or not a still-trying notice came first.
    const last = first.text.includes("can't reach") ? first : await asked.answer(2, 10_000);
    expect(last.text).toContain("I can't reach Metaflow's metadata service right now.");
    expectClearSentence(last);
  } finally {
    await h.serviceProxy.up();
  }
  await expectRecovered(STATUS, STATUS_ANSWER);
}, 30_000);

it('slow (10 s) under a message command: says it is still trying within 3 s, then gives the real answer', async () => {
  h.service.inject({ kind: 'delay', ms: 10_000, path: '/flows/HelloFlow/runs/9' });
  const asked = await ask(h, STATUS);
  expect(asked.ackMs).toBeLessThan(ANSWER_WITHIN_MS);
  const first = await asked.answer(1, 15_000);
  expect(first.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
  expectClearSentence(first);
  expect(first.text).toMatch(/still/i);
  const real = await asked.answer(2, 25_000);
  expect(real.text).toContain(STATUS_ANSWER);
  expect(real.text).not.toMatch(/still trying/i);
  expect(asked.answers()).toHaveLength(2);
  await expectRecovered(STATUS, STATUS_ANSWER);
}, 40_000);

it('slow (10 s) under a mention: says it is still trying in the thread within 3 s, then answers there', async () => {
  h.service.inject({ kind: 'delay', ms: 10_000, path: '/flows/HelloFlow/runs/9' });
  const event = eventFixture('app_mention', { text: `<@U0BOT00001> ${STATUS}` });
  const sentAt = Date.now();
  expect((await h.client.event(event)).status).toBe(200);
  const inThread = (): FakeSlackCall[] => h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === event.ts && c.status === 200);
  const notice = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === event.ts, 15_000);
  expect(notice.at - sentAt).toBeLessThan(ANSWER_WITHIN_MS);
  expectClearSentence({ surface: 'message', call: notice, text: flatText(notice.params.blocks), afterMs: notice.at - sentAt });
  await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === event.ts && c !== notice, 25_000);
  expect(inThread().map((c) => flatText(c.params.blocks))).toEqual([expect.stringMatching(/still trying/), expect.stringContaining(STATUS_ANSWER)]);
}, 40_000);

it('slow (10 s) under a modal command: the modal opens within 3 s saying it is reading, then shows the runs', async () => {
  h.service.inject({ kind: 'delay', ms: 10_000, path: '/flows/HelloFlow/runs' });
  const asked = await ask(h, 'runs HelloFlow');
  const first = await asked.answer(1, 15_000);
  expect(first.surface).toBe('view');
  expect(first.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
  expectClearSentence(first);
  const real = await asked.answer(2, 25_000);
  expect(real.surface).toBe('view');
  expect(real.text).toContain('HelloFlow');
  expect(real.text).not.toContain('Reading Metaflow');
}, 40_000);

it.each([
  ['an HTML error page', { kind: 'garbage' as const }],
  ['truncated JSON', { kind: 'garbage' as const, body: '[{"flow_id": "HelloFlow", "run_num' }],
  ['JSON of the wrong shape', { kind: 'garbage' as const, body: '{"detail": "moved"}' }],
  ['a 500 with a traceback, every time', { kind: 'status' as const, status: 500 }],
])('answering %s: one clear sentence within 3 s, then works again', async (_what, fault) => {
  h.service.inject({ ...fault, times: Infinity, path: '/flows/HelloFlow/runs/9' });
  const asked = await ask(h, STATUS);
  const first = await asked.answer(1, 10_000);
  expect(first.afterMs).toBeLessThan(ANSWER_WITHIN_MS);
  expectClearSentence(first);
  // The retries of a 500 take a few seconds; what comes of them must be as clear.
  await new Promise((r) => setTimeout(r, 4500));
  for (const answer of asked.answers()) expectClearSentence(answer);
  h.service.clearFaults();
  await expectRecovered(STATUS, STATUS_ANSWER);
}, 30_000);

it('`version` names the metadata service by its URL, never with its auth key or basic-auth credentials', async () => {
  const secrets = { user: 'mf-basic-user', password: 'mf-basic-password-5f2e', authKey: 'mf-auth-key-9c41d7' };
  const serviceUrl = `http://${secrets.user}:${secrets.password}@127.0.0.1:${h.serviceProxy.port}`;
  const config = loadConfig({ env: serviceBotEnv(h.slack.url, serviceUrl, { METAFLOW_SERVICE_AUTH_KEY: secrets.authKey }) });
  const running = await startBot(config);
  try {
    const baseUrl = `http://127.0.0.1:${running.port}`;
    const asked = await ask({ ...h, bot: { ...running, baseUrl }, client: slackClient({ baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: h.slack }) }, 'version');
    const { text, call } = await asked.answer(1, ANSWER_WITHIN_MS);
    expect(text).toContain(`http://127.0.0.1:${h.serviceProxy.port}`);
    for (const secret of Object.values(secrets)) expect(JSON.stringify(call.params)).not.toContain(secret);
    expect(JSON.stringify(call.params)).not.toContain(Buffer.from(`${secrets.user}:${secrets.password}`).toString('base64'));
    // The credentials are in use: the bot reads the service with them.
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
    const sent = h.service.log[h.service.log.length - 1].headers;
    expect(sent['x-api-key']).toBe(secrets.authKey);
    expect(sent.authorization).toBe(`Basic ${Buffer.from(`${secrets.user}:${secrets.password}`).toString('base64')}`);
  } finally {
    await running.stop();
  }
});
