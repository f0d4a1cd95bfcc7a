/**
 * What the person at the playground sends an app, checked against a stand-in app that answers
 * whatever each test wants: signed like Slack signs, shaped like Slack's payloads, and the
 * answers in the HTTP response applied as Slack applies them.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Person, type Problem } from '../../src/playground/person';
import { DEFAULT_USERS, startFakeSlack, type FakeSlack, type Params } from '../../src/playground/slack/api';
import { signature } from '../../src/playground/slack/signed';

const SECRET = '0123456789abcdef0123456789abcdef';
const ME = DEFAULT_USERS[0];

interface Received {
  body: string;
  contentType: string;
  /** The form fields, or the JSON of an event, or the decoded `payload`. */
  data: Params;
}

type Answer = (r: Received) => { status?: number; body?: unknown; delayMs?: number } | void;

let slack: FakeSlack;
let app: Server;
let appUrl: string;
let answer: Answer;
let received: Received[];
let problems: Problem[];
let person: Person;

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  slack = await startFakeSlack();
  app = createServer(async (req, res) => {
    const body = await read(req);
    const ts = String(req.headers['x-slack-request-timestamp']);
    expect(req.headers['x-slack-signature']).toBe(signature(SECRET, ts, body));
    const contentType = String(req.headers['content-type']);
    const form = new URLSearchParams(body);
    const data = contentType === 'application/json' ? JSON.parse(body) : form.has('payload') ? JSON.parse(form.get('payload') as string) : Object.fromEntries(form);
    const r = { body, contentType, data };
    received.push(r);
    const out = answer(r) ?? {};
    if (out.delayMs) await new Promise((resolve) => setTimeout(resolve, out.delayMs));
    res.writeHead(out.status ?? 200, typeof out.body === 'object' ? { 'content-type': 'application/json' } : {});
    res.end(out.body === undefined ? '' : typeof out.body === 'string' ? out.body : JSON.stringify(out.body));
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => {
  await slack.close();
  await new Promise((resolve) => app.close(resolve));
});

beforeEach(() => {
  answer = () => undefined;
  received = [];
  problems = [];
  person = new Person(slack, { url: appUrl, signingSecret: SECRET }, ME, (p) => problems.push(p), () => {});
});

const modal = (title: string, extra: Params = {}): Params => ({ type: 'modal', title: { type: 'plain_text', text: title }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: title } }], ...extra });

async function openModal(title: string, extra: Params = {}): Promise<Params> {
  const res = await fetch(`${slack.url}views.open`, {
    method: 'POST',
    headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ trigger_id: slack.mintTriggerId(), view: modal(title, extra) }),
  });
  return ((await res.json()) as Params).view;
}

describe('slash commands', () => {
  test('are signed form posts with a working trigger_id and response_url', async () => {
    await person.type('C0GENERAL1', '/metaflow runs  HelloFlow');
    const [{ data, contentType }] = received;
    expect(contentType).toBe('application/x-www-form-urlencoded');
    expect(data).toMatchObject({ command: '/metaflow', text: 'runs  HelloFlow', channel_id: 'C0GENERAL1', channel_name: 'general', user_id: ME.id });
    const posted = await fetch(data.response_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'only you' }) });
    expect(posted.status).toBe(200);
    expect(slack.messages('C0GENERAL1').at(-1)).toMatchObject({ text: 'only you', ephemeralTo: ME.id });
  });

  test('an acknowledgement with a body is the answer, checked like any message', async () => {
    answer = () => ({ body: { response_type: 'in_channel', text: 'for all' } });
    await person.type('C0GENERAL1', '/metaflow status');
    expect(slack.messages('C0GENERAL1').at(-1)).toMatchObject({ text: 'for all' });
    expect(slack.messages('C0GENERAL1').at(-1)?.ephemeralTo).toBeUndefined();
    answer = () => ({ body: 'plain words' });
    await person.type('C0GENERAL1', '/metaflow status');
    expect(slack.messages('C0GENERAL1').at(-1)).toMatchObject({ text: 'plain words', ephemeralTo: ME.id });
    answer = () => ({ body: { blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'no' } }] } });
    await person.type('C0GENERAL1', '/metaflow status');
    expect(slack.callsTo('ack').at(-1)).toMatchObject({ status: 400, response: expect.objectContaining({ error: 'invalid_blocks' }) });
  });

  test('an error status, or an acknowledgement after 3 s, is a problem', async () => {
    answer = () => ({ status: 500 });
    await person.type('C0GENERAL1', '/metaflow status');
    answer = () => ({ delayMs: 3100 });
    await person.type('C0GENERAL1', '/metaflow status');
    expect(problems.map((p) => p.summary)).toEqual([
      'The app answered /metaflow status with HTTP 500',
      expect.stringMatching(/^The app acknowledged \/metaflow status after \d+ ms; Slack gives up after 3 s$/),
    ]);
  }, 10_000);
});

describe('messages', () => {
  test('a mention in a channel is an app_mention with Slack\'s mention syntax', async () => {
    const { ts } = await person.type('C0DATASCI1', '@metaflow runs');
    expect(received.map((r) => r.data.event.type)).toEqual(['app_mention']);
    expect(received[0].data.event).toMatchObject({ text: '<@U0BOT00001> runs', channel: 'C0DATASCI1', user: ME.id, ts });
    expect(slack.messages('C0DATASCI1').at(-1)).toMatchObject({ ts, user: ME.id });
  });

  test('a message without a mention in a channel sends nothing (the app is not subscribed)', async () => {
    await person.type('C0DATASCI1', 'hello all');
    expect(received).toEqual([]);
  });

  test('in the DM: message.im, and app_mention too when it mentions the app; replies carry the thread', async () => {
    await person.type('D0ALICE001', 'runs', '1700000000.000001');
    await person.type('D0ALICE001', '@metaflow runs');
    expect(received.map((r) => [r.data.event.type, r.data.event.channel_type])).toEqual([
      ['message', 'im'],
      ['message', 'im'],
      ['app_mention', undefined],
    ]);
    expect(received[0].data.event.thread_ts).toBe('1700000000.000001');
  });
});

describe('block_actions', () => {
  async function ephemeralAnswer(): Promise<Params> {
    await person.type('C0GENERAL1', '/metaflow help');
    const url = received[0].data.response_url;
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'help', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'help' } }] }) });
    received = [];
    return slack.messages('C0GENERAL1').at(-1) as Params;
  }

  test('on an ephemeral message: its container says so and the message itself is not sent', async () => {
    const m = await ephemeralAnswer();
    await person.act({ kind: 'message', channel: 'C0GENERAL1', ts: m.ts }, { action_id: 'share_in_channel', value: 'x' }, {});
    const [{ data }] = received;
    expect(data.type).toBe('block_actions');
    expect(data.container).toMatchObject({ type: 'message', message_ts: m.ts, channel_id: 'C0GENERAL1', is_ephemeral: true });
    expect(data.message).toBeUndefined();
    expect(data.actions[0]).toMatchObject({ action_id: 'share_in_channel', value: 'x' });
  });

  test('its response_url replaces, deletes or adds to the message it came from', async () => {
    const m = await ephemeralAnswer();
    const post = async (body: Params): Promise<void> => {
      await person.act({ kind: 'message', channel: 'C0GENERAL1', ts: m.ts }, { action_id: 'x' }, {});
      const url = (received.at(-1) as Received).data.response_url;
      expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status).toBe(200);
    };
    await post({ replace_original: true, text: 'page 2' });
    expect(slack.messages('C0GENERAL1').find((x) => x.ts === m.ts)).toMatchObject({ text: 'page 2', ephemeralTo: ME.id, updates: 1 });
    await post({ response_type: 'in_channel', text: 'shared' });
    expect(slack.messages('C0GENERAL1').at(-1)).toMatchObject({ text: 'shared' });
    expect(slack.messages('C0GENERAL1').at(-1)?.ephemeralTo).toBeUndefined();
    await post({ delete_original: true });
    expect(slack.messages('C0GENERAL1').find((x) => x.ts === m.ts)).toBeUndefined();
  });

  test('on a message in a thread: the whole message, and the thread in the container', async () => {
    const posted = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'C0GENERAL1', thread_ts: '1700000000.000009', text: 'in thread', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'in thread' } }] }),
    });
    const { ts } = (await posted.json()) as Params;
    await person.act({ kind: 'message', channel: 'C0GENERAL1', ts }, { action_id: 'runs_more' }, {});
    const [{ data }] = received;
    expect(data.container).toMatchObject({ message_ts: ts, thread_ts: '1700000000.000009', is_ephemeral: false });
    expect(data.message).toMatchObject({ ts, thread_ts: '1700000000.000009', bot_id: slack.workspace.bot.botId, blocks: [expect.anything()] });
  });

  test('in a modal: the view with its state, and a trigger that pushes onto it', async () => {
    const view = await openModal('One');
    answer = ({ data }) => {
      void fetch(`${slack.url}views.push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ trigger_id: data.trigger_id, view: modal('Two') }),
      });
    };
    const values = { b: { a: { type: 'static_select', selected_option: null } } };
    await person.act({ kind: 'view', id: view.id }, { action_id: 'pick_step', type: 'static_select' }, values);
    const [{ data }] = received;
    expect(data.container).toEqual({ type: 'view', view_id: view.id });
    expect(data.view.state.values).toEqual(values);
    await slack.waitFor('views.push');
    expect(slack.modals().at(-1)?.map((v) => v.title.text)).toEqual(['One', 'Two']);
    slack.closeView(view.id);
  });
});

describe('view_submission answers', () => {
  test.each([
    ['errors', { response_action: 'errors', errors: { query: 'No such run' } }, ['One', 'Two'], { errors: { query: 'No such run' } }],
    ['update', { response_action: 'update', view: modal('Updated') }, ['One', 'Updated'], {}],
    ['push', { response_action: 'push', view: modal('Three') }, ['One', 'Two', 'Three'], {}],
    ['clear', { response_action: 'clear' }, [], {}],
    ['nothing', undefined, ['One'], {}],
  ])('%s', async (_name, body, titles, returned) => {
    const one = await openModal('One');
    const two = (await (
      await fetch(`${slack.url}views.push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ trigger_id: slack.mintTriggerId({ viewId: one.id }), view: modal('Two', { submit: { type: 'plain_text', text: 'Go' } }) }),
      })
    ).json()) as Params;
    answer = () => ({ body });
    expect(await person.submit(two.view.id, { query: { q: { type: 'plain_text_input', value: 'x' } } })).toEqual(returned);
    expect(received[0].data).toMatchObject({ type: 'view_submission', view: { id: two.view.id, state: { values: { query: { q: { value: 'x' } } } } } });
    const stack = slack.modals().find((s) => s[0].id === one.id) ?? [];
    expect(stack.map((v) => v.title.text)).toEqual(titles);
    slack.closeView(one.id);
    expect(problems).toEqual([]);
  });
});

describe('closing a modal', () => {
  test('sends view_closed only when the view asked for it', async () => {
    const quiet = await openModal('Quiet');
    await person.close(quiet.id, true);
    expect(received).toEqual([]);
    const loud = await openModal('Loud', { notify_on_close: true, callback_id: 'screen' });
    await person.close(loud.id, true);
    expect(received[0].data).toMatchObject({ type: 'view_closed', is_cleared: true, view: { id: loud.id, callback_id: 'screen' } });
    expect(slack.modals()).toEqual([]);
  });
});

describe('external selects', () => {
  test('block_suggestion, answered with options that are checked', async () => {
    const view = await openModal('Pick');
    answer = () => ({ body: { options: [{ text: { type: 'plain_text', text: 'HelloFlow' }, value: 'HelloFlow' }] } });
    const found = await person.suggest({ kind: 'view', id: view.id }, { action_id: 'runs_flow', block_id: 'flow_picker', value: 'Hel' }, {});
    expect(received[0].data).toMatchObject({ type: 'block_suggestion', action_id: 'runs_flow', block_id: 'flow_picker', value: 'Hel', view: { id: view.id } });
    expect(found.options).toHaveLength(1);
    answer = () => ({ body: { options: [{ text: { type: 'mrkdwn', text: 'x' }, value: 'x' }] } });
    expect(await person.suggest({ kind: 'view', id: view.id }, { action_id: 'runs_flow', block_id: 'flow_picker', value: 'x' }, {})).toEqual({ options: [] });
    expect(problems).toEqual([expect.objectContaining({ summary: 'The options for runs_flow break Block Kit rules', details: [expect.stringContaining('json-pointer:/options/0/text')] })]);
    slack.closeView(view.id);
  });
});

describe('App Home', () => {
  test('app_home_opened carries the view last published', async () => {
    await person.openHome();
    expect(received[0].data.event).toMatchObject({ type: 'app_home_opened', user: ME.id, tab: 'home' });
    expect(received[0].data.event.view).toBeUndefined();
    await fetch(`${slack.url}views.publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: ME.id, view: { type: 'home', blocks: [{ type: 'divider' }] } }),
    });
    await person.openHome();
    expect(received[1].data.event.view).toMatchObject({ type: 'home', id: slack.homeView(ME.id)?.id });
  });
});
