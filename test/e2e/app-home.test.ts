/**
 * App Home end to end: `app_home_opened` events publish a Home per user (their recent runs, what
 * fails or runs in watched flows), debounced and never republished unchanged; its buttons open
 * the runs modal and "Inspect a run…"; every button and select reached from it answers within
 * 3 seconds with a view Slack accepts.
 */
import { startFakeSlack, type FakeSlack, type FakeView } from '../support/fake-slack';
import { TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../support/bot';
import type { Params } from '../support/fake-slack/http';
import { appHomeOpened, DEFAULT_ACTOR } from '../support/fake-slack/payloads';
import { DEFAULT_CHANNELS, DEFAULT_USERS } from '../support/fake-slack/directory';
import { slackClient, type SlackClient } from '../support/signed';
import { A_MINUTE_AFTER_SLEEPYFLOW_STARTED, localClient } from '../support/local-client';
import type { Subscription } from '../../src/state/store';
import { ACK_MS, driver, find, reopen, republish, textOf, walk, type Driver } from './drive';
import { startSlackApp, type RunningSlackApp } from './slack-app';

const UI = 'https://metaflow-ui.example.com';
const [ALICE, BOB] = DEFAULT_USERS;

let fake: FakeSlack;
let app: RunningSlackApp;
let slack: SlackClient;
let d: Driver;

beforeAll(async () => {
  // Bob is not in #data-science: what it watches is not his to see on App Home.
  const channels = DEFAULT_CHANNELS.map((c) => (c.id === 'C0DATASCI1' ? { ...c, members: [ALICE.id] } : c));
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN, channels });
  // Alice's Slack account runs Metaflow as bob (an explicit map entry); bob has no entry.
  app = await startSlackApp({
    slackApiUrl: fake.url,
    client: localClient(A_MINUTE_AFTER_SLEEPYFLOW_STARTED),
    userMapping: { rule: 'map', map: { [ALICE.id]: 'bob' } },
    uiUrl: UI,
  });
  slack = slackClient({ baseUrl: app.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
  d = driver(fake, slack);
});

afterAll(async () => {
  await app.stop();
  await fake.close();
});

function subscription(flow: string, channel = 'C0DATASCI1'): Subscription {
  return { id: `sub-${flow}-${channel}`, channel, flow, events: ['failed', 'lost'], createdBy: BOB.id, createdAt: Date.now() };
}

async function openHome(user = ALICE): Promise<number> {
  const from = fake.calls.length;
  const res = await slack.event(appHomeOpened(user, fake.homeView(user.id)));
  expect(res.status).toBe(200);
  expect(res.elapsedMs).toBeLessThan(ACK_MS);
  return from;
}

/** Lets the bot finish whatever it might still publish. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

const publishesSince = (from: number, user = ALICE): Params[] =>
  fake.calls.slice(from).filter((c) => c.method === 'views.publish' && c.params.user_id === user.id);

describe('App Home', () => {
  it('is published per user with their runs (map rule) and the failing runs of watched flows', async () => {
    await app.state.subscribe(subscription('FailFlow'));
    const from = await openHome();
    const call = await fake.waitFor('views.publish', (c) => fake.calls.indexOf(c) >= from && c.params.user_id === ALICE.id);
    expect((call.response as Params).ok).toBe(true);
    const home = fake.homeView(ALICE.id) as FakeView;
    const text = textOf(home);
    expect(text).toContain('As Metaflow user `bob` (by the bot\'s user map).');
    expect(text).toContain(`<${UI}/BranchFlow/1795835902618057|BranchFlow/1795835902618057>`);
    expect(text).not.toContain('HelloFlow/');
    expect(text).toContain('*Failing and running in flows your channels watch*');
    expect(text).toContain(`:x: <${UI}/FailFlow/1795835906791541|FailFlow/1795835906791541>`);
    expect(text).not.toContain('SleepyFlow');
    expect(home.blocks.filter((b: Params) => b.accessory?.action_id === 'inspect_run')).toHaveLength(2);
  });

  it('tells a user without a Metaflow user how they would be matched', async () => {
    const from = await openHome(BOB);
    await fake.waitFor('views.publish', (c) => fake.calls.indexOf(c) >= from && c.params.user_id === BOB.id);
    const text = textOf(fake.homeView(BOB.id));
    expect(text).toContain("I match Slack users to Metaflow users by the bot's user map, and found none for you");
    expect(text).toContain('None of your channels watches a flow yet');
    expect(text).not.toContain('FailFlow');
  });

  it('is built at most once per 10 seconds when the tab is opened again, unless refreshed', async () => {
    const from = await openHome();
    await settle();
    expect(publishesSince(from)).toEqual([]);

    await app.state.subscribe(subscription('SleepyFlow', 'C0GENERAL1'));
    const home = fake.homeView(ALICE.id) as FakeView;
    const refreshed = await d.click(home, find(home, 'home_refresh'), { expect: 'view' });
    expect(refreshed.ackMs).toBeLessThan(ACK_MS);
    expect(refreshed.shown?.method).toBe('views.publish');
    const text = textOf(fake.homeView(ALICE.id));
    expect(text).toContain(`:hourglass_flowing_sand: <${UI}/SleepyFlow/1795835929540849|SleepyFlow/1795835929540849>`);
    expect(text).toContain(`FailFlow/1795835906791541`);

    // Nothing changed: a refresh publishes nothing.
    const again = await d.click(fake.homeView(ALICE.id) as FakeView, find(home, 'home_refresh'), { expect: 'any' });
    expect(again.calls.filter((c) => c.method === 'views.publish')).toEqual([]);
  });

  it('shows each user the watched flows of the channels they are in', async () => {
    // #general, which Bob is in, now watches SleepyFlow; #data-science (FailFlow) still is not his.
    const home = fake.homeView(BOB.id) as FakeView;
    const from = fake.calls.length;
    const asBob = slackClient({ baseUrl: app.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake, actor: { ...DEFAULT_ACTOR, user: BOB } });
    const res = await asBob.blockActions([find(home, 'home_refresh')], { view: home });
    expect(res.status).toBe(200);
    await fake.waitFor('views.publish', (c) => fake.calls.indexOf(c) >= from && c.params.user_id === BOB.id);
    const text = textOf(fake.homeView(BOB.id));
    expect(text).toContain('SleepyFlow/1795835929540849');
    expect(text).not.toContain('FailFlow');
  });

  it('opens the runs modal from "Browse runs", and a run from its Inspect button', async () => {
    const home = fake.homeView(ALICE.id) as FakeView;
    const runs = await d.click(home, find(home, 'home_browse_runs'));
    expect(runs.calls[0].method).toBe('views.open');
    expect(textOf(runs.view)).toContain('Flows 1–10 of 10');
    const run = await d.click(fake.homeView(ALICE.id) as FakeView, find(home, 'inspect_run', { value: '{"flow":"FailFlow","run":"1795835906791541"}' }));
    expect(run.view?.blocks[0].text.text).toBe('FailFlow/1795835906791541');
  });

  it('"Inspect a run…" takes a query and shows the run, or says what is wrong with it', async () => {
    const home = fake.homeView(ALICE.id) as FakeView;
    const opened = await d.click(home, find(home, 'home_inspect_run'));
    const input = opened.view as FakeView;
    expect(input.callback_id).toBe('inspect_query');
    const bad = await d.submit(input, { inspect_query: { inspect_query_input: { type: 'plain_text_input', value: 'tagged' } } });
    expect(bad.ack?.response_action).toBe('errors');
    const good = await d.submit(input, { inspect_query: { inspect_query_input: { type: 'plain_text_input', value: 'FailFlow/1795835906791541/explode' } } });
    const view = good.ack?.view ?? good.view;
    expect(view.blocks[0].text.text).toBe('FailFlow/1795835906791541/explode');
  });

  it('starts "Inspect a run…" from the run the user last chose with use, in any channel', async () => {
    const from = fake.calls.length;
    expect((await slack.command('use BranchFlow/1795835902618057')).status).toBe(200);
    await fake.waitFor('response_url', (c) => fake.calls.indexOf(c) >= from);
    const home = fake.homeView(ALICE.id) as FakeView;
    const input = (await d.click(home, find(home, 'home_inspect_run'))).view as FakeView;
    expect(input.blocks[0].element.initial_value).toBe('BranchFlow/1795835902618057');
  });

  it('posts files asked for from a modal it opened in the user’s DM with the bot', async () => {
    const home = fake.homeView(ALICE.id) as FakeView;
    const run = (await d.click(home, find(home, 'inspect_run', { value: '{"flow":"FailFlow","run":"1795835906791541"}' }))).view as FakeView;
    const step = (await d.click(run, find(run, 'pick_step', { value: 'explode' }))).view as FakeView;
    const task = (await d.click(step, find(step, 'open_task'))).view as FakeView;
    const logs = (await d.click(task, find(task, 'open_stderr'))).view as FakeView;
    const uploaded = await d.click(logs, find(logs, 'upload_log'));
    expect(textOf(uploaded.view)).toContain(`in <#D${ALICE.id.slice(1)}>.`);
  });

  it('every button and select reached from it answers within 3 s with a view Slack accepts', async () => {
    const start = fake.homeView(ALICE.id) as FakeView;
    const report = await walk(d, start, {
      maxClicks: 80,
      perKind: 4,
      suggestions: 2,
      restore: (view) => (view.type === 'home' ? republish(fake, ALICE.id, view) : reopen(fake, view)),
      check: (view, via) => {
        const text = textOf(view);
        if (text.includes('out of date') || text.includes(':warning:')) throw new Error(`${via} led to: ${text.slice(0, 300)}`);
      },
    });
    expect(report.clicks).toBeGreaterThanOrEqual(40);
    expect([...report.kinds]).toEqual(expect.arrayContaining(['home', 'fl', 'i', 'r', 'rs', 's', 't', 'l']));
  }, 120_000);
});

describe('App Home with the handle rule', () => {
  it("matches a Slack user to the Metaflow user of their Slack handle", async () => {
    const byHandle = await startSlackApp({ slackApiUrl: fake.url, client: localClient(A_MINUTE_AFTER_SLEEPYFLOW_STARTED), userMapping: { rule: 'handle', map: {} } });
    try {
      const client = slackClient({ baseUrl: byHandle.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
      const from = fake.calls.length;
      await client.event(appHomeOpened(BOB));
      await fake.waitFor('views.publish', (c) => fake.calls.indexOf(c) >= from && c.params.user_id === BOB.id);
      const text = textOf(fake.homeView(BOB.id));
      expect(text).toContain('As Metaflow user `bob` (by your Slack handle).');
      expect(text).toContain('BranchFlow/1795835902618057');
    } finally {
      await byHandle.stop();
    }
  });
});
