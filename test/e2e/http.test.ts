/** The HTTP endpoint refuses what Slack did not sign, as Slack's request signing requires. */
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot';
import { slashCommandFields } from '../support/fake-slack/payloads';
import { FORM, JSON_TYPE, nowSeconds, signature, slackClient, type SlackClient } from '../support/signed';
import { localClient } from '../support/local-client';
import { startSlackApp } from './slack-app';

let fake: FakeSlack;
let bot: TestBot;
let slack: SlackClient;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN });
  bot = await startTestBot({ slackApiUrl: fake.url });
  slack = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
});

/** A slash command body whose response_url the fake knows, so an answer would be seen. */
function commandBody(): { body: string; responsePath: string } {
  const responseUrl = fake.mintResponseUrl();
  return { body: new URLSearchParams(slashCommandFields('version', { responseUrl })).toString(), responsePath: new URL(responseUrl).pathname };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

async function expectUnanswered(responsePath: string): Promise<void> {
  await settle();
  expect(fake.calls.some((c) => c.url === responsePath)).toBe(false);
}

it('answers a correctly signed command', async () => {
  const { body, responsePath } = commandBody();
  const res = await slack.raw({ body, contentType: FORM });
  expect(res.status).toBe(200);
  expect(res.elapsedMs).toBeLessThan(3000);
  await fake.waitFor('response_url', (c) => c.url === responsePath);
});

it('refuses a bad signature with 401 and does nothing', async () => {
  const { body, responsePath } = commandBody();
  const res = await slack.raw({ body, contentType: FORM, signature: signature('0000000000000000ffffffffffffffff', nowSeconds(), body) });
  expect(res.status).toBe(401);
  await expectUnanswered(responsePath);
});

it('refuses a missing signature with 401', async () => {
  const { body, responsePath } = commandBody();
  expect((await slack.raw({ body, contentType: FORM, signature: null })).status).toBe(401);
  await expectUnanswered(responsePath);
});

it('refuses a stale timestamp (6 minutes old) with 401, even when correctly signed', async () => {
  const { body, responsePath } = commandBody();
  expect((await slack.raw({ body, contentType: FORM, timestamp: nowSeconds() - 360 })).status).toBe(401);
  await expectUnanswered(responsePath);
});

it('refuses a future timestamp (6 minutes ahead) with 401, even when correctly signed', async () => {
  const { body, responsePath } = commandBody();
  expect((await slack.raw({ body, contentType: FORM, timestamp: nowSeconds() + 360 })).status).toBe(401);
  await expectUnanswered(responsePath);
});

it('refuses a signed garbage body with a 4xx', async () => {
  const res = await slack.raw({ body: '{not json', contentType: JSON_TYPE });
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
});

it("answers Slack's ssl_check and url_verification", async () => {
  const ssl = await slack.raw({ body: 'ssl_check=1&token=legacy', contentType: FORM, signature: null });
  expect(ssl.status).toBe(200);
  const challenge = await slack.raw({ body: JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'legacy' }), contentType: JSON_TYPE });
  expect(challenge.status).toBe(200);
  expect(challenge.body).toContain('c-123');
});

it('answers 429 past the configured requests per minute, before Bolt sees the request', async () => {
  const limited = await startSlackApp({ slackApiUrl: fake.url, client: localClient(), userMapping: { rule: 'email', map: {} }, rateLimitPerMinute: 2 });
  try {
    const client = slackClient({ baseUrl: limited.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
    const sent = [commandBody(), commandBody(), commandBody()];
    const statuses: number[] = [];
    for (const { body } of sent) statuses.push((await client.raw({ body, contentType: FORM })).status);
    expect(statuses).toEqual([200, 200, 429]);
    await fake.waitFor('response_url', (c) => c.url === sent[1].responsePath);
    await expectUnanswered(sent[2].responsePath);
  } finally {
    await limited.stop();
  }
});
