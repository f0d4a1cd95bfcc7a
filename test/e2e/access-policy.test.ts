/**
 * The access policy on every surface, end to end: a channel that may see HelloFlow and
 * ForeachFlow only, a user who may see HelloFlow anywhere, everyone else nothing. Forbidden
 * things read as "not found, or you may not see it" and never appear in lists.
 */
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot';
import type { Params } from '../support/fake-slack/http';
import { appHomeOpened, slackTs } from '../support/fake-slack/payloads';
import { DEFAULT_USERS } from '../support/fake-slack/directory';
import { slackClient, type SlackClient } from '../support/signed';
import { driver, textOf, type Driver } from './drive';
import { flatText } from '../fixtures/slack';

const UI = 'https://metaflow-ui.example.com';
const CHANNEL = 'C0GENERAL1';
const [ALICE] = DEFAULT_USERS;
const DENIED = 'was not found, or you may not see it here';

let fake: FakeSlack;
let bot: TestBot;
let slack: SlackClient;
let d: Driver;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN });
  bot = await startTestBot({
    slackApiUrl: fake.url,
    env: { METAFLOW_UI_URL: UI },
    users: { rule: 'handle', map: {} },
    access: {
      default: 'deny',
      rules: [
        { channels: [CHANNEL], usergroups: [], users: [], flows: ['HelloFlow', 'Foreach*'] },
        { channels: [], usergroups: [], users: [ALICE.id], flows: ['HelloFlow'] },
      ],
    },
  });
  slack = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
  d = driver(fake, slack);
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
});

async function answer(text: string): Promise<string> {
  const res = await slack.command(text, { channel_id: CHANNEL });
  expect(res.status).toBe(200);
  const path = new URL(res.sent.response_url).pathname;
  return flatText((await fake.waitFor('response_url', (c) => c.url === path)).params.blocks);
}

it('commands: a forbidden run reads as not found, whether or not it exists', async () => {
  expect(await answer('status FailFlow/1795835906791541')).toContain(`FailFlow/1795835906791541 ${DENIED}`);
  expect(await answer('status FailFlow/123')).toContain(`FailFlow/123 ${DENIED}`);
  expect(await answer('status HelloFlow/1795835881413377')).toContain('HelloFlow/1795835881413377');
});

it('subscriptions: a forbidden flow cannot be watched', async () => {
  const text = await answer('watch FailFlow');
  expect(text).toContain(DENIED);
  expect(await bot.state.subscriptions(CHANNEL)).toEqual([]);
});

it('modals and option loads: only visible flows are listed or offered', async () => {
  const outcome = await d.command('runs', { channel_id: CHANNEL });
  const view = outcome.view as Params;
  const text = textOf(view);
  expect(text).toContain('HelloFlow');
  expect(text).toContain('ForeachFlow');
  expect(text).not.toContain('FailFlow');
  const options = (await slack.blockSuggestion({ action_id: 'runs_flow', block_id: 'flow_picker', value: '' }, { view })).json() as { options: Params[] };
  expect(options.options.map((o) => o.value).sort()).toEqual(['ForeachFlow', 'HelloFlow']);
  const denied = await d.command('inspect FailFlow/1795835906791541', { channel_id: CHANNEL });
  expect(textOf(denied.view as Params)).toContain(DENIED);
});

it('App Home: a user sees only the runs their own rule allows', async () => {
  const from = fake.calls.length;
  await slack.event(appHomeOpened(ALICE, fake.homeView(ALICE.id)));
  const publish = await fake.waitFor('views.publish', (c) => fake.calls.indexOf(c) >= from && c.params.user_id === ALICE.id);
  const text = flatText(publish.params.view.blocks);
  expect(text).toContain('HelloFlow');
  expect(text).not.toContain('FailFlow');
  expect(text).not.toContain('ForeachFlow');
});

it('unfurls: only links to visible runs become cards', async () => {
  const visible = `${UI}/HelloFlow/1795835881413377`;
  const hidden = `${UI}/FailFlow/1795835906791541`;
  const ts = slackTs(Date.now());
  await slack.event({ type: 'link_shared', channel: CHANNEL, user: ALICE.id, message_ts: ts, is_bot_user_member: true, links: [visible, hidden].map((url) => ({ domain: new URL(url).hostname, url })) });
  const call = await fake.waitFor('chat.unfurl', (c) => c.params.ts === ts);
  expect(Object.keys(call.params.unfurls as Params)).toEqual([visible]);
});
