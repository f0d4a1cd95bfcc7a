/**
 * A replica that dies between showing a loading view and filling it would leave the user in
 * front of "Reading Metaflow…" for good: Slack sends a click or a command once. Another replica
 * sharing the state store finishes the answer once the dead one's lease has run out; so too
 * an App Home it was building.
 *
 * The dying replica here is one whose Metaflow reads never return: it acks, shows the loading
 * view, holds the answer and never fills the view, which is what a SIGKILL at that moment
 * leaves. The other replica's recovery is driven one sweep at a time. `npm run drill` does the
 * same with real SIGKILLs of real processes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetaflowClient } from '../../src/metaflow/client';
import { boltLogger } from '../../src/observability/bolt-logger';
import { createLogger } from '../../src/observability/logger';
import { AnswerRecovery } from '../../src/slack/answers';
import { finishAnswer } from '../../src/slack/listeners/recover';
import { SqliteStateStore } from '../../src/state/sqlite/store';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../support/bot';
import { DEFAULT_USERS, startFakeSlack, type FakeSlack, type FakeSlackCall, type FakeView } from '../support/fake-slack';
import { appHomeOpened } from '../support/fake-slack/payloads';
import type { Params } from '../support/fake-slack/http';
import { localClient } from '../support/local-client';
import { slackClient, type SlackClient } from '../support/signed';
import { callFake, driver, find, isLoading, textOf, type Driver } from './drive';
import { startSlackApp, type RunningSlackApp } from './slack-app';

const LEASE_MS = 300;
const FAIL_RUN = 'FailFlow/1795835906791541';

/** Every Metaflow read of the dying replica waits forever. */
function hanging(client: MetaflowClient): MetaflowClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? () => new Promise(() => undefined) : value;
    },
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let dir: string;
let state: SqliteStateStore;
let fake: FakeSlack;
let dying: RunningSlackApp;
let survivor: RunningSlackApp;
let recovery: AnswerRecovery;
/** Talks to the dying replica. */
let toDying: SlackClient;
/** Drives the surviving replica. */
let d: Driver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'metaflowbot-replicas-'));
  state = new SqliteStateStore(join(dir, 'state.db'));
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN });
  const common = { slackApiUrl: fake.url, userMapping: { rule: 'email' as const, map: {} }, state, answerSettings: { leaseMs: LEASE_MS } };
  // Its answers never end: its stop does not wait for them.
  dying = await startSlackApp({ ...common, client: hanging(localClient()), drainMs: 0 });
  survivor = await startSlackApp({ ...common, client: localClient() });
  recovery = new AnswerRecovery(survivor.slack.deps.answers, { client: survivor.slack.app.client, logger: boltLogger(createLogger('error')) }, finishAnswer(survivor.slack.deps));
  toDying = slackClient({ baseUrl: dying.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
  d = driver(fake, slackClient({ baseUrl: survivor.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake }));
});

afterAll(async () => {
  await dying.stop();
  await survivor.stop();
  await state.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const viewIdOf = (call: FakeSlackCall): string => (call.response as Params).view.id;

/** The views.update that filled `viewId` after call index `from`, if any. */
function filled(viewId: string, from: number): FakeSlackCall | undefined {
  return fake.calls.slice(from).find((c) => c.method === 'views.update' && c.params.view_id === viewId && (c.response as Params).ok === true && !isLoading(c.params.view));
}

/** Sweeps before the lease ends (nothing may happen), then after it (the answer must come). */
async function recovered(viewId: string, from: number): Promise<FakeSlackCall> {
  await sleep(50);
  await recovery.sweep();
  expect(filled(viewId, from)).toBeUndefined();
  await sleep(LEASE_MS + 50);
  await recovery.sweep();
  const call = filled(viewId, from);
  if (!call) throw new Error(`view ${viewId} was not filled by the surviving replica`);
  return call;
}

it('fills the runs modal of a /metaflow command whose replica died after opening it', async () => {
  const from = fake.calls.length;
  const since = Date.now();
  const res = await toDying.command('runs FailFlow');
  expect(res.status).toBe(200);
  const opened = await fake.waitFor('views.open', (c) => c.at >= since, 3000);
  expect(isLoading(opened.params.view)).toBe(true);
  const call = await recovered(viewIdOf(opened), from);
  expect(textOf(call.params.view)).toContain('1795835906791541');
  expect(await state.takeOverAnswers('check', Date.now() + 60_000, Date.now() + 120_000, 10)).toEqual([]);
});

it('fills the view a click pushed when the replica that took the click died', async () => {
  const runs = (await d.command('runs FailFlow')).view as FakeView;
  const from = fake.calls.length;
  const since = Date.now();
  const res = await toDying.blockActions([find(runs, 'inspect_run')], { view: runs });
  expect(res.status).toBe(200);
  const pushed = await fake.waitFor('views.push', (c) => c.at >= since, 3000);
  expect(isLoading(pushed.params.view)).toBe(true);
  const call = await recovered(viewIdOf(pushed), from);
  expect(call.params.view.blocks[0].text.text).toBe(FAIL_RUN);
  // The run view is a working view: its step picker answers on the surviving replica.
  const run = fake.view(viewIdOf(pushed)) as FakeView;
  const step = await d.click(run, find(run, 'pick_step', { value: 'explode' }));
  expect(textOf(step.view)).toContain('explode');
});

it('leaves alone a view the user has changed since the replica died', async () => {
  const runs = (await d.command('runs FailFlow')).view as FakeView;
  const since = Date.now();
  // A filter: answered in place, so the view clicked is the one held.
  await toDying.blockActions([find(runs, 'runs_status', { value: 'failed' })], { view: runs });
  const replaced = await fake.waitFor('views.update', (c) => c.params.view_id === runs.id && c.at >= since, 3000);
  expect(isLoading(replaced.params.view)).toBe(true);
  // Meanwhile the user moved on in this view (another click, answered elsewhere).
  const moved = await callFake(fake, 'views.update', { view_id: runs.id, view: { type: 'modal', title: runs.title, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'moved on' } }] } });
  expect(moved.ok).toBe(true);
  await sleep(LEASE_MS + 50);
  await recovery.sweep();
  expect(textOf(fake.view(runs.id))).toBe('moved on');
  expect(await state.takeOverAnswers('check', Date.now() + 60_000, Date.now() + 120_000, 10)).toEqual([]);
});

it('publishes the App Home that a dying replica was building', async () => {
  const user = DEFAULT_USERS[1];
  expect(fake.homeView(user.id)).toBeUndefined();
  const res = await toDying.event(appHomeOpened(user));
  expect(res.status).toBe(200);
  await sleep(50);
  await recovery.sweep();
  expect(fake.homeView(user.id)).toBeUndefined();
  await sleep(LEASE_MS + 50);
  await recovery.sweep();
  expect(textOf(fake.homeView(user.id))).toContain('Browse runs');
});

it('answers, on its response_url, a command whose replica died before answering', async () => {
  const res = await toDying.command(`status ${FAIL_RUN}`);
  expect(res.status).toBe(200);
  const path = new URL(res.sent.response_url).pathname;
  const answered = (): FakeSlackCall | undefined => fake.calls.find((c) => c.method === 'response_url' && c.url === path);
  await sleep(50);
  await recovery.sweep();
  expect(answered()).toBeUndefined();
  await sleep(LEASE_MS + 50);
  await recovery.sweep();
  expect(textOf(answered()?.params)).toContain('failed');
});
