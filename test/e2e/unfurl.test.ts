/** Metaflow UI links pasted in a channel unfurl into a run card (`link_shared` → chat.unfurl);
 *  links to other hosts, other paths and unknown runs are left alone. */
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot';
import type { Params } from '../support/fake-slack/http';
import { slackTs } from '../support/fake-slack/payloads';
import { slackClient, type SlackClient } from '../support/signed';
import { flatText } from '../fixtures/slack';

const UI = 'https://metaflow-ui.example.com';

let fake: FakeSlack;
let bot: TestBot;
let slack: SlackClient;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN });
  bot = await startTestBot({ slackApiUrl: fake.url, env: { METAFLOW_UI_URL: UI } });
  slack = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
});

function linkShared(urls: string[], extra: Params = {}): Params {
  const ts = slackTs(Date.now() + Math.random() * 1000);
  return {
    type: 'link_shared',
    channel: 'C0GENERAL1',
    is_bot_user_member: true,
    user: 'U0ALICE001',
    message_ts: ts,
    links: urls.map((url) => ({ domain: new URL(url).hostname, url })),
    ...extra,
  };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

it('unfurls a run link, a step link and a UI page of a run into run cards, keyed by URL', async () => {
  const run = `${UI}/FailFlow/1795835906791541`;
  const step = `${UI}/ForeachFlow/1795835892295200/process`;
  const task = `${UI}/FailFlow/1795835906791541/explode/2`;
  const page = `${UI}/HelloFlow/1795835881413377/view/timeline`;
  const other = 'https://example.org/FailFlow/1795835906791541';
  const event = linkShared([run, step, task, page, other]);
  const res = await slack.event(event);
  expect(res.status).toBe(200);
  const call = await fake.waitFor('chat.unfurl', (c) => c.params.ts === event.message_ts);
  expect((call.response as Params).ok).toBe(true);
  expect(call.params.channel).toBe('C0GENERAL1');
  const unfurls = call.params.unfurls as Params;
  expect(Object.keys(unfurls).sort()).toEqual([page, run, step, task].sort());
  expect(flatText(unfurls[run].blocks)).toContain(`:x: <${run}|FailFlow/1795835906791541>  ·  alice  ·  <!date^1795835906^`);
  expect(flatText(unfurls[step].blocks)).toContain('Step `process`  ·  :white_check_mark: successful  ·  5 tasks');
  expect(flatText(unfurls[task].blocks)).toContain('Task `explode/2`  ·  :x: failed  ·  attempt 1');
  expect(flatText(unfurls[page].blocks)).toContain('HelloFlow/1795835881413377');
});

it('answers links in the message composer by unfurl_id', async () => {
  const event = linkShared([`${UI}/HelloFlow/1795835881413377`], { unfurl_id: 'Uf0TEST0001', source: 'composer', channel: 'COMPOSER' });
  await slack.event(event);
  const call = await fake.waitFor('chat.unfurl', (c) => c.params.unfurl_id === 'Uf0TEST0001');
  expect(call.params.source).toBe('composer');
  expect((call.response as Params).ok).toBe(true);
});

it('leaves alone links to other hosts, other paths and runs that do not exist', async () => {
  const before = fake.callsTo('chat.unfurl').length;
  await slack.event(linkShared(['https://example.org/HelloFlow/1795835881413377', `${UI}/HelloFlow`, `${UI}/HelloFlow/999`, `${UI}/not-a-flow!/1`]));
  await settle();
  expect(fake.callsTo('chat.unfurl')).toHaveLength(before);
});
