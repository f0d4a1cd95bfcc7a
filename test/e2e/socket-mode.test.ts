/** The same bot in Socket Mode: a slash command arrives as an envelope, is acked on the socket
 *  and answered through its response_url, or with a modal. */
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { slashCommandFields } from '../support/fake-slack/payloads';
import { startFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, type TestBot } from '../support/bot';
import { eventFixture, flatText } from '../fixtures/slack';

let socket: FakeSocketMode;
let fake: FakeSlack;
let bot: TestBot;

beforeAll(async () => {
  socket = await startFakeSocketMode();
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN, socketMode: socket });
  bot = await startTestBot({ slackApiUrl: fake.url, socketMode: true });
  await socket.waitForConnections(1);
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
  await socket.close();
});

it('acks a slash command envelope within 3 s and answers it', async () => {
  const responseUrl = fake.mintResponseUrl();
  const ack = await socket.send('slash_commands', slashCommandFields('status FailFlow/1795835906791541', { responseUrl }));
  expect(ack.elapsedMs).toBeLessThan(3000);
  const call = await fake.waitFor('response_url', (c) => c.url === new URL(responseUrl).pathname);
  expect(call.status).toBe(200);
  expect(call.params.response_type).toBe('ephemeral');
  expect(flatText(call.params.blocks)).toContain('in step `explode`');
});

it('opens the modal of `inspect` from a slash command envelope', async () => {
  const ack = await socket.send('slash_commands', slashCommandFields('inspect FailFlow/1795835906791541', { triggerId: fake.mintTriggerId() }));
  expect(ack.elapsedMs).toBeLessThan(3000);
  const open = await fake.waitFor('views.open');
  expect(open.status).toBe(200);
  const filled = await fake.waitFor('views.update', (c) => c.params.view_id === (open.response as { view: { id: string } }).view.id);
  expect(flatText(filled.params.view.blocks)).toContain('*Status*\n:x: failed');
});

it('answers a mention delivered as an events_api envelope in its thread', async () => {
  const event = eventFixture('app_mention', { text: '<@U0BOT00001> version' });
  const ack = await socket.send('events_api', {
    token: 'legacy',
    team_id: 'T0TEAM0001',
    api_app_id: 'A0APP00001',
    event,
    type: 'event_callback',
    event_id: 'Ev0SOCKET001',
    event_time: Math.floor(Date.now() / 1000),
  });
  expect(ack.elapsedMs).toBeLessThan(3000);
  const call = await fake.waitFor('chat.postMessage', (c) => c.params.thread_ts === event.ts);
  expect(call.status).toBe(200);
  expect(flatText(call.params.blocks)).toContain('*metaflowbot*');
});

it('serves /healthz and /readyz in Socket Mode too', async () => {
  expect((await fetch(`${bot.baseUrl}/healthz`)).status).toBe(200);
  expect((await fetch(`${bot.baseUrl}/readyz`)).status).toBe(200);
});

/** How many acks of this kind /metrics has timed. */
async function acksTimed(kind: string): Promise<number> {
  const metrics = await (await fetch(`${bot.baseUrl}/metrics`)).text();
  const m = new RegExp(`^metaflowbot_slack_ack_seconds_count\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : 0;
}

it('times the ack of a slash command envelope in /metrics', async () => {
  const before = await acksTimed('command');
  const responseUrl = fake.mintResponseUrl();
  await socket.send('slash_commands', slashCommandFields('version', { responseUrl }));
  expect(await acksTimed('command')).toBe(before + 1);
  await fake.waitFor('response_url', (c) => c.url === new URL(responseUrl).pathname);
});
