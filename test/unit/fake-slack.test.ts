import { App, LogLevel, SocketModeReceiver, webApi, type BlockAction } from '@slack/bolt';
import { startFakeSlack, type FakeSlack, type FakeView } from '../support/fake-slack';
import { appHomeOpened, slashCommandFields } from '../support/fake-slack/payloads';
import { startFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode';
import { nowSeconds, slackClient } from '../support/signed';

const { WebClient, WebClientEvent, WebAPIPlatformError, WebAPIRateLimitedError } = webApi;
type WebClientT = InstanceType<typeof WebClient>;

/** The refusals are the point of these tests; WebClient would log each one as an error. */
const logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };

const modal = (title = 'Runs') => ({
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: title },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Loading…' } }],
});
const home = { type: 'home' as const, blocks: [{ type: 'divider' }] };

/** The Slack error code of a failed Web API call. */
async function slackError(call: Promise<unknown>): Promise<string> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof WebAPIPlatformError)) throw new Error(`expected a platform error, got ${String(err)}`);
  return err.data.error;
}

describe('fake Slack Web API, driven by @slack/web-api', () => {
  let slack: FakeSlack;
  let client: WebClientT;
  let clock: number;

  beforeEach(async () => {
    clock = 1_750_000_000_000;
    slack = await startFakeSlack({ now: () => clock, rateLimits: { 'chat.postMessage': { limit: 1, windowMs: 1000, per: 'channel' } } });
    client = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logger });
  });
  afterEach(() => slack.close());

  test('auth.test answers who the bot is and the call is recorded with its headers', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, user_id: slack.workspace.bot.userId, bot_id: slack.workspace.bot.botId, team_id: 'T0TEAM0001' });
    const call = await slack.waitFor('auth.test');
    expect(call.headers.authorization).toBe('Bearer xoxb-test');
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call.at).toBe(clock);
  });

  test('tokens: none, wrong, and the wrong kind are refused like Slack', async () => {
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logger });
    const app = new WebClient(slack.appToken, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logger });
    const anonymous = new WebClient(undefined, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logger });
    expect(await slackError(wrong.auth.test())).toBe('invalid_auth');
    expect(await slackError(app.chat.postMessage({ channel: 'C0GENERAL1', text: 'hi' }))).toBe('not_allowed_token_type');
    expect(await slackError(client.apps.connections.open())).toBe('not_allowed_token_type');
    expect(await slackError(anonymous.auth.test())).toBe('not_authed');
  });

  test('views.open with a valid view returns it with id, hash and root_view_id', async () => {
    const res = await client.views.open({ trigger_id: slack.mintTriggerId(), view: modal() });
    expect(res.view).toMatchObject({ type: 'modal', title: { text: 'Runs' }, state: { values: {} }, team_id: 'T0TEAM0001' });
    expect(res.view?.id).toMatch(/^V/);
    expect(res.view?.root_view_id).toBe(res.view?.id);
    expect(slack.view(res.view?.id as string)?.hash).toBe(res.view?.hash);
    expect((await slack.waitFor('views.open')).params.view.blocks[0].type).toBe('section');
  });

  test('an over-long modal title is invalid_arguments with the json-pointer', async () => {
    const err = await client.views.open({ trigger_id: slack.mintTriggerId(), view: modal('x'.repeat(25)) }).catch((e) => e);
    expect(err).toBeInstanceOf(WebAPIPlatformError);
    expect(err.data.error).toBe('invalid_arguments');
    expect(err.data.response_metadata.messages).toEqual(['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]']);
  });

  test('blocks that break Block Kit rules are invalid_blocks, listed twice like Slack does', async () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const err = await client.chat.postMessage({ channel: 'C0GENERAL1', text: 'x', blocks }).catch((e) => e);
    expect(err.data).toMatchObject({
      error: 'invalid_blocks',
      errors: ['no more than 50 items allowed [json-pointer:/blocks]'],
      response_metadata: { messages: ['[ERROR] no more than 50 items allowed [json-pointer:/blocks]'] },
    });
  });

  test('a trigger_id is single use, lives 3 s, and must be one Slack issued', async () => {
    const trigger = slack.mintTriggerId();
    await client.views.open({ trigger_id: trigger, view: modal() });
    expect(await slackError(client.views.open({ trigger_id: trigger, view: modal() }))).toBe('exchanged_trigger_id');

    const late = slack.mintTriggerId();
    clock += 3001;
    expect(await slackError(client.views.open({ trigger_id: late, view: modal() }))).toBe('expired_trigger_id');
    expect(await slackError(client.views.open({ trigger_id: '123.456.abc', view: modal() }))).toBe('invalid_trigger_id');
  });

  test('views.update: a stale hash is a hash_conflict, an unknown view not_found', async () => {
    const opened = await client.views.open({ trigger_id: slack.mintTriggerId(), view: modal() });
    const id = opened.view?.id as string;
    const first = await client.views.update({ view_id: id, hash: opened.view?.hash, view: modal('Run 12') });
    expect(first.view?.hash).not.toBe(opened.view?.hash);
    expect(await slackError(client.views.update({ view_id: id, hash: opened.view?.hash, view: modal('Run 13') }))).toBe('hash_conflict');
    expect(slack.view(id)?.title.text).toBe('Run 12');
    expect(await slackError(client.views.update({ view_id: 'V999', view: modal() }))).toBe('not_found');
  });

  test('the modal stack holds three views: a third push is push_limit_reached', async () => {
    const root = await client.views.open({ trigger_id: slack.mintTriggerId(), view: modal('Root') });
    const rootId = root.view?.id as string;
    const second = await client.views.push({ trigger_id: slack.mintTriggerId({ viewId: rootId }), view: modal('Two') });
    expect(second.view).toMatchObject({ root_view_id: rootId, previous_view_id: rootId });
    const third = await client.views.push({ trigger_id: slack.mintTriggerId({ viewId: second.view?.id }), view: modal('Three') });
    expect(await slackError(client.views.push({ trigger_id: slack.mintTriggerId({ viewId: rootId }), view: modal('Four') }))).toBe(
      'push_limit_reached',
    );
    slack.closeView(third.view?.id as string);
    await expect(client.views.push({ trigger_id: slack.mintTriggerId({ viewId: rootId }), view: modal('Four') })).resolves.toMatchObject({ ok: true });
  });

  test('views.publish takes only home views, one per user, and checks the user', async () => {
    const published = await client.views.publish({ user_id: 'U0ALICE001', view: home });
    const again = await client.views.publish({ user_id: 'U0ALICE001', view: home, hash: published.view?.hash });
    expect(again.view?.id).toBe(published.view?.id);
    expect(slack.homeView('U0ALICE001')?.hash).toBe(again.view?.hash);
    expect(await slackError(client.views.publish({ user_id: 'U0ALICE001', view: home, hash: published.view?.hash }))).toBe('hash_conflict');
    expect(await slackError(client.views.publish({ user_id: 'U0ALICE001', view: modal() as never }))).toBe('invalid_arguments');
    expect(await slackError(client.views.publish({ user_id: 'U0NOBODY01', view: home }))).toBe('user_not_found');
  });

  test('chat.*: messages are kept, updated, deleted; channels must exist', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0DATASCI1', text: 'run 12 failed' });
    await client.chat.update({ channel: 'C0DATASCI1', ts: posted.ts as string, text: 'run 12 failed (retried)' });
    expect(slack.messages('C0DATASCI1')).toEqual([expect.objectContaining({ text: 'run 12 failed (retried)', updates: 1 })]);
    const link = await client.chat.getPermalink({ channel: 'C0DATASCI1', message_ts: posted.ts as string });
    expect(link.permalink).toBe(`https://metaflow-test.slack.com/archives/C0DATASCI1/p${(posted.ts as string).replace('.', '')}`);
    await client.chat.delete({ channel: 'C0DATASCI1', ts: posted.ts as string });
    expect(slack.messages('C0DATASCI1')).toEqual([]);
    expect(await slackError(client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }))).toBe('channel_not_found');
    const eph = await client.chat.postEphemeral({ channel: 'C0GENERAL1', user: 'U0BOB00001', text: 'only you' });
    expect(eph.message_ts).toBeDefined();
  });

  test('users.info and conversations.info read the configured workspace', async () => {
    const { user } = await client.users.info({ user: 'U0ALICE001' });
    expect(user?.profile?.email).toBe('alice@example.com');
    const { channel } = await client.conversations.info({ channel: 'C0GENERAL1' });
    expect(channel).toMatchObject({ name: 'general', is_member: true });
    expect(await slackError(client.users.info({ user: 'U0NOBODY01' }))).toBe('user_not_found');
  });

  test('failNext(429) answers with Retry-After; WebClient waits for it, or throws when told to reject', async () => {
    const seen: number[] = [];
    const retrying = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 1, minTimeout: 0 }, logger });
    retrying.on(WebClientEvent.RATE_LIMITED, (seconds: number) => seen.push(seconds));
    slack.failNext('auth.test', { status: 429, retryAfter: 1 });
    const started = Date.now();
    await expect(retrying.auth.test()).resolves.toMatchObject({ ok: true });
    expect(seen).toEqual([1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(slack.callsTo('auth.test').map((c) => c.status)).toEqual([429, 200]);

    const rejecting = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger });
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const err = await rejecting.chat.postMessage({ channel: 'C0GENERAL1', text: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(WebAPIRateLimitedError);
    expect(err.retryAfter).toBe(7);
  });

  test('failNext(error) fails the next call only; rate limits apply per channel', async () => {
    slack.failNext('conversations.info', { error: 'channel_not_found' });
    expect(await slackError(client.conversations.info({ channel: 'C0GENERAL1' }))).toBe('channel_not_found');
    await expect(client.conversations.info({ channel: 'C0GENERAL1' })).resolves.toMatchObject({ ok: true });

    const rejecting = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger });
    await rejecting.chat.postMessage({ channel: 'C0GENERAL1', text: 'one' });
    await rejecting.chat.postMessage({ channel: 'C0DATASCI1', text: 'other channel' });
    await expect(rejecting.chat.postMessage({ channel: 'C0GENERAL1', text: 'two' })).rejects.toBeInstanceOf(WebAPIRateLimitedError);
    clock += 1000;
    await expect(rejecting.chat.postMessage({ channel: 'C0GENERAL1', text: 'two' })).resolves.toMatchObject({ ok: true });
  });

  test('a response_url takes 5 posts within 30 minutes, then answers 404 expired_url', async () => {
    const url = slack.mintResponseUrl();
    const post = (body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (let i = 0; i < 5; i += 1) expect((await post({ text: `update ${i}` })).status).toBe(200);
    const sixth = await post({ text: 'one too many' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: 'expired_url' });
    expect(slack.callsTo('response_url').map((c) => c.params.text)).toEqual(['update 0', 'update 1', 'update 2', 'update 3', 'update 4', 'one too many']);

    const late = slack.mintResponseUrl();
    clock += 30 * 60 * 1000 + 1;
    expect((await fetch(late, { method: 'POST', body: '{"text":"late"}' })).status).toBe(404);
  });

  test('a response_url refuses invalid messages with 400 invalid_blocks', async () => {
    const url = slack.mintResponseUrl();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'no' } }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_blocks', errors: ['must be plain_text [json-pointer:/blocks/0/text/type]'] });
  });

  test('files.uploadV2: upload URL on the fake, bytes stored, file shared to the channel', async () => {
    const res = await client.files.uploadV2({ channel_id: 'C0DATASCI1', filename: 'stderr.log', content: 'Traceback …\n', title: 'stderr' });
    expect(res.ok).toBe(true);
    const upload = await slack.waitFor('upload');
    const file = slack.file(upload.params.file_id);
    expect(file?.bytes?.toString('utf8')).toBe('Traceback …\n');
    expect(file).toMatchObject({ filename: 'stderr.log', length: Buffer.byteLength('Traceback …\n'), channel: 'C0DATASCI1', title: 'stderr', completed: true });
    expect(slack.calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
  });

  test('conversations.history: top-level messages newest first, within oldest and latest, paged, metadata when asked', async () => {
    const metadata = { event_type: 'metaflow_run_notification', event_payload: { run: 'HelloFlow/1', transition: 'started' } };
    const post = async (text: string, extra: Record<string, unknown> = {}): Promise<string> => {
      const res = await client.chat.postMessage({ channel: 'C0GENERAL1', text, ...extra });
      clock += 1000;
      return res.ts as string;
    };
    const first = await post('card', { metadata });
    await post('reply', { thread_ts: first });
    const second = await post('second');
    await client.chat.delete({ channel: 'C0GENERAL1', ts: await post('deleted') });
    await client.chat.postEphemeral({ channel: 'C0GENERAL1', user: 'U0ALICE001', text: 'only alice' });
    const person = slack.postAs('U0BOB00001', 'C0GENERAL1', { text: 'hi bot' }).ts;
    const third = await post('third');

    const all = await client.conversations.history({ channel: 'C0GENERAL1' });
    expect(all.messages?.map((m) => m.text)).toEqual(['third', 'hi bot', 'second', 'card']);
    expect(all.messages?.find((m) => m.ts === person)).toMatchObject({ user: 'U0BOB00001' });
    expect(all.messages?.find((m) => m.ts === first)).toMatchObject({ user: slack.workspace.bot.userId, bot_id: slack.workspace.bot.botId });
    expect(all.messages?.some((m) => 'metadata' in m)).toBe(false);
    expect(all.has_more).toBe(false);
    const withMetadata = await client.conversations.history({ channel: 'C0GENERAL1', include_all_metadata: true });
    expect(withMetadata.messages?.find((m) => m.ts === first)?.metadata).toEqual(metadata);

    const since = async (args: Record<string, unknown>) => (await client.conversations.history({ channel: 'C0GENERAL1', ...args })).messages?.map((m) => m.text);
    expect(await since({ oldest: first })).toEqual(['third', 'hi bot', 'second']);
    expect(await since({ oldest: first, inclusive: true })).toEqual(['third', 'hi bot', 'second', 'card']);
    expect(await since({ oldest: first, latest: third })).toEqual(['hi bot', 'second']);
    expect(await since({ latest: second, inclusive: true })).toEqual(['second', 'card']);

    const page1 = await client.conversations.history({ channel: 'C0GENERAL1', limit: 3 });
    expect(page1.messages?.map((m) => m.ts)).toEqual([third, person, second]);
    expect(page1.has_more).toBe(true);
    const page2 = await client.conversations.history({ channel: 'C0GENERAL1', limit: 3, cursor: page1.response_metadata?.next_cursor });
    expect(page2.messages?.map((m) => m.ts)).toEqual([first]);
    expect(page2.has_more).toBe(false);

    expect(await slackError(client.conversations.history({ channel: 'C0NOSUCH01' }))).toBe('channel_not_found');
    expect(await slackError(client.conversations.history({ channel: 'C0GENERAL1', oldest: 'yesterday' }))).toBe('invalid_ts_oldest');
    expect(await slackError(client.conversations.history({ channel: 'C0GENERAL1', cursor: 'bm9wZQ==' }))).toBe('invalid_cursor');
  });

  test('conversations.replies: the parent, then its replies oldest first within the window, from any ts of the thread', async () => {
    const metadata = { event_type: 'metaflow_run_notification', event_payload: { run: 'HelloFlow/1', transition: 'failed' } };
    const post = async (text: string, extra: Record<string, unknown> = {}): Promise<string> => {
      const res = await client.chat.postMessage({ channel: 'C0GENERAL1', text, ...extra });
      clock += 1000;
      return res.ts as string;
    };
    const card = await post('card');
    const started = await post('started', { thread_ts: card });
    const failed = await post('failed', { thread_ts: card, metadata });
    await post('elsewhere');

    const thread = await client.conversations.replies({ channel: 'C0GENERAL1', ts: card, include_all_metadata: true });
    expect(thread.messages?.map((m) => m.text)).toEqual(['card', 'started', 'failed']);
    expect(thread.messages?.[0]).toMatchObject({ ts: card, thread_ts: card, reply_count: 2 });
    expect(thread.messages?.[2]).toMatchObject({ thread_ts: card, parent_user_id: slack.workspace.bot.userId, metadata });
    expect((await client.conversations.replies({ channel: 'C0GENERAL1', ts: failed })).messages?.map((m) => m.ts)).toEqual([card, started, failed]);
    expect((await client.conversations.replies({ channel: 'C0GENERAL1', ts: card, oldest: started })).messages?.map((m) => m.text)).toEqual(['card', 'failed']);
    expect((await client.conversations.replies({ channel: 'C0GENERAL1', ts: card })).messages?.some((m) => 'metadata' in m)).toBe(false);
    const paged = await client.conversations.replies({ channel: 'C0GENERAL1', ts: card, limit: 2 });
    expect(paged).toMatchObject({ has_more: true });
    const rest = await client.conversations.replies({ channel: 'C0GENERAL1', ts: card, limit: 2, cursor: paged.response_metadata?.next_cursor });
    expect(rest.messages?.map((m) => m.ts)).toEqual([failed]);

    expect(await slackError(client.conversations.replies({ channel: 'C0GENERAL1', ts: '1.000001' }))).toBe('thread_not_found');
  });

  test('conversations.history and replies refuse a channel the bot is not in; chat.postMessage refuses malformed metadata', async () => {
    const outside = await startFakeSlack({ channels: [{ id: 'C0OUTSIDE1', name: 'outside', isMember: false }, { id: 'C0INSIDE01', name: 'inside' }] });
    try {
      const c = new WebClient(outside.token, { slackApiUrl: outside.url, retryConfig: { retries: 0 }, logger });
      expect(await slackError(c.conversations.history({ channel: 'C0OUTSIDE1' }))).toBe('not_in_channel');
      expect(await slackError(c.conversations.replies({ channel: 'C0OUTSIDE1', ts: '1.000001' }))).toBe('not_in_channel');
      expect(await slackError(c.chat.postMessage({ channel: 'C0INSIDE01', text: 'x', metadata: { event_type: '', event_payload: {} } }))).toBe('invalid_metadata_schema');
    } finally {
      await outside.close();
    }
  });

  test('unknown methods answer unknown_method', async () => {
    expect(await slackError(client.apiCall('admin.apps.approve'))).toBe('unknown_method');
  });
});

describe('fake Socket Mode, driven by @slack/socket-mode through Bolt', () => {
  let socket: FakeSocketMode;
  let slack: FakeSlack;
  let receiver: SocketModeReceiver;

  beforeEach(async () => {
    socket = await startFakeSocketMode();
    slack = await startFakeSlack({ socketMode: socket });
    const clientOptions = { slackApiUrl: slack.url, retryConfig: { retries: 0 } };
    // A short ping timeout also shortens the reconnect delay (socket-mode waits one timeout).
    receiver = new SocketModeReceiver({ appToken: slack.appToken, installerOptions: { clientOptions }, clientPingTimeout: 300, logger });
    const app = new App({ token: slack.token, receiver, clientOptions, logger });
    app.command('/metaflow', async ({ command, ack }) => {
      await ack(`got ${command.text}`);
    });
    await app.start();
  });
  afterEach(async () => {
    await receiver.client.disconnect();
    await socket.close();
    await slack.close();
  });

  test('connects with the app token, receives a slash command and acks it', async () => {
    await socket.waitForConnections(1);
    const open = slack.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0].headers.authorization).toBe('Bearer xapp-test');
    const ack = await socket.send('slash_commands', slashCommandFields('runs HelloFlow'));
    expect(ack.payload).toEqual({ text: 'got runs HelloFlow' });
    expect(socket.received).toContainEqual({ envelope_id: ack.envelope_id, payload: { text: 'got runs HelloFlow' } });
  });

  test('reconnects through apps.connections.open after a refresh_requested disconnect', async () => {
    await socket.waitForConnections(1);
    socket.disconnect('refresh_requested');
    await socket.waitForConnections(2);
    expect(slack.callsTo('apps.connections.open')).toHaveLength(2);
    await expect(socket.send('slash_commands', slashCommandFields('runs'))).resolves.toMatchObject({ payload: { text: 'got runs' } });
  });
});

describe('signed client against a Bolt app in HTTP mode', () => {
  const SECRET = 'test-signing-secret';
  let slack: FakeSlack;
  let app: InstanceType<typeof App>;
  let baseUrl: string;
  let homeOpened: Promise<{ retryNum?: number; user: string }>;

  beforeAll(async () => {
    slack = await startFakeSlack();
    app = new App({
      token: slack.token,
      signingSecret: SECRET,
      clientOptions: { slackApiUrl: slack.url, retryConfig: { retries: 0 } },
      logger,
    });
    app.command('/metaflow', async ({ command, ack, client, respond }) => {
      await ack();
      await client.views.open({ trigger_id: command.trigger_id, view: modal() });
      await respond({ text: `looking up ${command.text}` });
    });
    app.action<BlockAction>('open_run', async ({ ack, body, client }) => {
      await ack();
      await client.views.push({ trigger_id: body.trigger_id, view: modal('Run 12') });
    });
    app.options('flow', async ({ ack, payload }) => {
      await ack({ options: [{ text: { type: 'plain_text', text: `${payload.value}Flow` }, value: `${payload.value}Flow` }] });
    });
    app.view('run', async ({ ack, view }) => {
      await ack({ response_action: 'errors', errors: { step: `no step ${view.state.values.step.name.value}` } });
    });
    homeOpened = new Promise((resolve) => {
      app.event('app_home_opened', async ({ event, context }) => resolve({ retryNum: context.retryNum, user: event.user }));
    });
    const server = await app.start(0);
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.stop();
    await slack.close();
  });

  test('a slash command is verified by Bolt, which then uses the minted trigger_id and response_url', async () => {
    const res = await slackClient({ baseUrl, signingSecret: SECRET, fakeSlack: slack }).command('runs HelloFlow');
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(3000);
    const open = await slack.waitFor('views.open', (c) => c.params.trigger_id === res.sent.trigger_id);
    expect(open.response).toMatchObject({ ok: true });
    const responded = await slack.waitFor('response_url', (c) => c.url === new URL(res.sent.response_url).pathname);
    expect(responded.params).toEqual({ text: 'looking up runs HelloFlow' });
  });

  test('interactivity payloads reach the right Bolt listeners', async () => {
    const client = slackClient({ baseUrl, signingSecret: SECRET, fakeSlack: slack });
    const web = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logger });
    const opened = await web.views.open({ trigger_id: slack.mintTriggerId(), view: { ...modal(), callback_id: 'run' } });
    const view = slack.view(opened.view?.id as string) as FakeView;

    expect((await client.blockActions({ action_id: 'open_run', value: 'HelloFlow/12' }, { view })).status).toBe(200);
    const pushed = await slack.waitFor('views.push');
    expect(pushed.response).toMatchObject({ ok: true, view: { previous_view_id: view.id } });

    const suggested = await client.blockSuggestion({ action_id: 'flow', value: 'Hello' }, { view });
    expect(suggested.json()).toEqual({ options: [{ text: { type: 'plain_text', text: 'HelloFlow' }, value: 'HelloFlow' }] });

    const values = { step: { name: { type: 'plain_text_input', value: 'train' } } };
    const submitted = await client.viewSubmission(view, { values });
    expect(submitted.json()).toEqual({ response_action: 'errors', errors: { step: 'no step train' } });
  });

  test('bad signatures and stale timestamps get 401', async () => {
    const client = slackClient({ baseUrl, signingSecret: SECRET });
    const body = 'command=%2Fmetaflow&text=runs';
    const contentType = 'application/x-www-form-urlencoded';
    expect((await client.raw({ body, contentType, signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await client.raw({ body, contentType, signature: null })).status).toBe(401);
    expect((await client.raw({ body, contentType, timestamp: nowSeconds() - 360 })).status).toBe(401);
  });

  test('events carry retry headers through to Bolt', async () => {
    const res = await slackClient({ baseUrl, signingSecret: SECRET }).event(appHomeOpened(), { retryNum: 2 });
    expect(res.status).toBe(200);
    await expect(homeOpened).resolves.toEqual({ retryNum: 2, user: 'U0ALICE001' });
  });
});
