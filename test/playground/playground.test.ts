/**
 * The playground without a browser: the page's own requests (/ui/…, /state) drive the real
 * bot through the stand-in, and what Slack would refuse shows up as a problem.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlayground, type Playground } from '../../src/playground';
import type { Params } from '../../src/playground/slack/api';
import { ACTION } from '../../src/slack/ids';

let playground: Playground;
let cwd: string;

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'playground-'));
  playground = await startPlayground({ port: 0, env: { METAFLOW_HOME: join(cwd, 'none') }, cwd });
});

afterAll(async () => {
  await playground.stop();
  rmSync(cwd, { recursive: true, force: true });
});

const origin = (): string => playground.url.replace(/\/$/, '');

async function ui(action: string, body: Params): Promise<Params> {
  const res = await fetch(`${origin()}/ui/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as Params;
}

async function state(): Promise<Params> {
  return (await (await fetch(`${origin()}/state`)).json()) as Params;
}

/** The first state that `found` finds something in, within 5 s. */
async function waitFor<T>(found: (s: Params) => T | undefined): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const hit = found(await state());
    if (hit !== undefined && hit !== null && hit !== false) return hit;
    if (Date.now() > deadline) throw new Error(`not found in ${JSON.stringify(await state()).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function elementWith(blocks: Params[], actionId: string): Params | undefined {
  for (const block of blocks) {
    const found = [block.accessory, ...(block.elements ?? [])].find((e: Params | undefined) => e?.action_id === actionId);
    if (found) return { ...found, block_id: block.block_id };
  }
  return undefined;
}

/** A raw request, to send a Host header that fetch would not. */
function get(path: string, host: string): Promise<number> {
  const url = new URL(path, playground.url);
  return new Promise((resolve, reject) => {
    request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('serving the page', () => {
  test('on 127.0.0.1 only, with the demo flows when there is no .metaflow', () => {
    expect(playground.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(playground.data).toMatch(/demo flows/);
  });

  test('the page and its scripts, nothing else', async () => {
    const page = await fetch(playground.url);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('/assets/app.js');
    for (const asset of ['app.js', 'blockkit.js', 'mrkdwn.js', 'style.css']) {
      expect((await fetch(`${origin()}/assets/${asset}`)).status).toBe(200);
    }
    expect((await fetch(`${origin()}/assets/%2e%2e%2fstand-in.ts`)).status).toBe(404);
    expect((await fetch(`${origin()}/nothing`)).status).toBe(404);
  });

  test('refuses other host names, and page actions that are not JSON', async () => {
    const port = new URL(playground.url).port;
    expect(await get('/state', `127.0.0.1:${port}`)).toBe(200);
    expect(await get('/state', `evil.example:${port}`)).toBe(421);
    const form = await fetch(`${origin()}/ui/home`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
  });

  test('the manifest\'s slash command, for the message box to offer', async () => {
    expect((await state()).commands).toEqual([expect.objectContaining({ command: '/metaflow' })]);
  });
});

describe('what the person does reaches the real bot', () => {
  test('/metaflow help: an ephemeral answer, which "Share in channel" posts for everyone', async () => {
    await ui('type', { channel: 'C0GENERAL1', text: '/metaflow help' });
    const answer = await waitFor((s) => s.messages.find((m: Params) => m.ephemeral && m.blocks?.length));
    expect(answer).toMatchObject({ channel: 'C0GENERAL1', user: 'U0BOT00001' });
    const share = elementWith(answer.blocks, ACTION.shareInChannel);
    expect(share).toBeDefined();
    await ui('action', { surface: { kind: 'message', channel: answer.channel, ts: answer.ts }, action: share, values: {} });
    const shared = await waitFor((s) => s.messages.find((m: Params) => !m.ephemeral && m.user === 'U0BOT00001' && JSON.stringify(m.blocks).includes('Shared by')));
    expect(shared.thread_ts).toBeUndefined();
    expect(playground.standIn.problems).toEqual([]);
  });

  test('@metaflow in a channel: the message, and the answer in its thread', async () => {
    const { ts } = await ui('type', { channel: 'C0DATASCI1', text: '@metaflow runs HelloFlow' });
    const mine = (await state()).messages.find((m: Params) => m.ts === ts);
    expect(mine).toMatchObject({ user: 'U0ALICE001', text: '<@U0BOT00001> runs HelloFlow', channel: 'C0DATASCI1' });
    const reply = await waitFor((s) => s.messages.find((m: Params) => m.thread_ts === ts && m.user === 'U0BOT00001'));
    expect(reply.text).toMatch(/HelloFlow/);
    expect(playground.standIn.problems).toEqual([]);
  });

  test('a direct message needs no mention', async () => {
    const dm = (await state()).dm;
    const { ts } = await ui('type', { channel: dm, text: 'version' });
    await waitFor((s) => s.messages.find((m: Params) => m.thread_ts === ts && m.user === 'U0BOT00001'));
    expect(playground.standIn.problems).toEqual([]);
  });

  test('/metaflow runs opens a modal; clicks move it; the ✕ closes the stack', async () => {
    await ui('type', { channel: 'C0GENERAL1', text: '/metaflow runs' });
    const failFlowIn = (view: Params | undefined): Params | undefined => view?.blocks.find((b: Params) => JSON.stringify(b.text ?? '').includes('FailFlow') && b.accessory);
    const runs = await waitFor((s) => (failFlowIn(s.modal[0]) ? s.modal[0] : undefined));
    const failFlow = failFlowIn(runs) as Params;
    await ui('action', { surface: { kind: 'view', id: runs.id }, action: { ...failFlow.accessory, block_id: failFlow.block_id }, values: {} });
    const inspect = await waitFor((s) => elementWith(s.modal[0]?.blocks ?? [], ACTION.inspectRun));
    await ui('action', { surface: { kind: 'view', id: runs.id }, action: inspect, values: {} });
    const stack = await waitFor((s) => (s.modal.length === 2 ? s.modal : undefined));
    expect(stack[1].previous_view_id).toBe(runs.id);
    await ui('close', { view_id: stack[1].id, all: true });
    expect((await state()).modal).toEqual([]);
    expect(playground.standIn.problems).toEqual([]);
  });

  test('App Home opens, published by the bot', async () => {
    await ui('home', {});
    const home = await waitFor((s) => s.home);
    expect(home.type).toBe('home');
    expect(elementWith(home.blocks, ACTION.homeBrowse)).toBeDefined();
  });

  test('a view_submission the bot refuses comes back as errors for the input', async () => {
    const home = (await state()).home;
    await ui('action', { surface: { kind: 'view', id: home.id }, action: elementWith(home.blocks, ACTION.homeInspect), values: {} });
    const inputOf = (view: Params | undefined): Params | undefined => view?.blocks.find((b: Params) => b.type === 'input');
    const modal = await waitFor((s) => (inputOf(s.modal[0]) ? s.modal[0] : undefined));
    const input = inputOf(modal) as Params;
    const values = { [input.block_id]: { [input.element.action_id]: { type: input.element.type, value: 'no such thing at all' } } };
    const answer = await ui('submit', { view_id: modal.id, values });
    expect(Object.keys(answer.errors ?? {})).toEqual([input.block_id]);
    await ui('close', { view_id: modal.id, all: true });
  });
});

describe('problems', () => {
  test('a message Slack would refuse shows as a problem with the validator\'s words', async () => {
    const res = await fetch(playground.standIn.apiUrl + 'chat.postMessage', {
      method: 'POST',
      headers: { authorization: `Bearer ${playground.standIn.slack.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'C0GENERAL1', text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'not plain' } }] }),
    });
    expect(((await res.json()) as Params).ok).toBe(false);
    const problems = (await state()).problems;
    expect(problems).toEqual([expect.objectContaining({ source: 'slack', summary: 'chat.postMessage: invalid_blocks' })]);
    expect(problems[0].details.join('\n')).toMatch(/json-pointer:\/blocks\/0\/text/);
    expect(playground.standIn.problems).toHaveLength(1);
  });

  test('what the page could not draw', async () => {
    await ui('problem', { summary: 'The playground cannot draw block table', details: [] });
    expect((await state()).problems).toContainEqual(expect.objectContaining({ source: 'page', summary: 'The playground cannot draw block table' }));
  });

  test('a page request the stand-in cannot read is refused, not sent', async () => {
    const res = await fetch(`${origin()}/ui/type`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: 7 }) });
    expect(res.status).toBe(400);
    expect((await state()).problems.filter((p: Params) => p.source !== 'page' && p.source !== 'slack')).toEqual([]);
  });
});
