/**
 * Run notifications end to end: channels subscribe with real signed `/metaflow watch` commands
 * (and a mention), a local `.metaflow` changes under the running bot (runs appear, fail, finish,
 * go silent), and the fake Slack — rate-limited to one message a second per channel, like
 * Slack — shows what each channel sees: one card per run, edited in place, the story threaded
 * under it.
 */
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot';
import { ChangingMetaflow, FIXTURE_EXCEPTION } from '../support/changing-metaflow';
import { slackClient, type SlackClient } from '../support/signed';
import { buttons, eventFixture, flatText } from '../fixtures/slack';

const UI = 'https://metaflow-ui.example.com';
const POLL_MS = 300;
/** The bot's cutoff for "lost"; runs are backdated to get there without waiting. */
const LOST_AFTER_MS = 60_000;
const CHANNELS = Array.from({ length: 40 }, (_, i) => ({ id: `C0NTFY${String(i).padStart(4, '0')}`, name: `notify-${i}` }));
let channels = 0;
const freshChannel = (): string => CHANNELS[channels++].id;

let fake: FakeSlack;
let bot: TestBot;
let slack: SlackClient;
let mf: ChangingMetaflow;
let flows = 0;
/** Each test watches flows of its own, so one test's runs are never news in another's channels. */
async function freshFlow(): Promise<string> {
  const flow = `NotifyFlow${++flows}`;
  await mf.addFlow(flow);
  return flow;
}

beforeAll(async () => {
  fake = await startFakeSlack({
    token: TEST_BOT_TOKEN,
    appToken: TEST_APP_TOKEN,
    channels: CHANNELS,
    rateLimits: { 'chat.postMessage': { limit: 1, windowMs: 1000, per: 'channel' } },
  });
  mf = await ChangingMetaflow.create([]);
  bot = await startTestBot({
    slackApiUrl: fake.url,
    metaflowRoot: mf.root,
    env: { METAFLOW_UI_URL: UI },
    pollIntervalMs: POLL_MS,
    lostAfterMs: LOST_AFTER_MS,
    notifier: { requestTimeoutMs: 2000, retries: 0, leaseMs: 90_000, idleMs: 200 },
  });
  slack = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
  await mf.remove();
});

/** A slash command's answer, as its response_url received it. */
async function ask(text: string, channel: string): Promise<string> {
  const res = await slack.command(text, { channel_id: channel });
  expect(res.status).toBe(200);
  const path = new URL(res.sent.response_url).pathname;
  const answer = await fake.waitFor('response_url', (c) => c.url === path);
  return flatText(answer.params.blocks);
}

function isNotice(c: FakeSlackCall, channel: string, flow: string, run: string, transition?: string): boolean {
  const payload = (c.params.metadata as { event_payload?: { run?: string; transition?: string } } | undefined)?.event_payload;
  return (
    c.params.channel === channel &&
    c.status === 200 &&
    (c.response as { ok?: boolean }).ok === true &&
    payload?.run === `${flow}/${run}` &&
    (transition === undefined || payload.transition === transition)
  );
}

/** The successful post of one transition of a run to a channel (the card or a thread reply). */
function notice(channel: string, flow: string, run: string, transition: string, timeoutMs = 5000): Promise<FakeSlackCall> {
  return fake.waitFor('chat.postMessage', (c) => isNotice(c, channel, flow, run, transition), timeoutMs);
}

function noticesTo(channel: string): FakeSlackCall[] {
  return fake.callsTo('chat.postMessage').filter((c) => c.params.channel === channel && (c.response as { ok?: boolean }).ok === true && c.params.metadata !== undefined);
}

const tsOf = (c: FakeSlackCall): string => (c.response as { ts: string }).ts;

/** Until the outbox is empty: whatever was detected has been posted. */
async function drained(timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await bot.state.pending()).length > 0) {
    if (Date.now() > deadline) throw new Error(`outbox not empty: ${JSON.stringify(await bot.state.pending())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Two polls with nothing left to post: anything that was going to be told has been. */
async function quiet(): Promise<void> {
  await new Promise((r) => setTimeout(r, 2 * POLL_MS + 100));
  await drained();
}

describe('watch', () => {
  it('tells a failure within a poll: card, edit in place, thread with exception, stderr and buttons', async () => {
    const flow = await freshFlow();
    const all = freshChannel();
    const byDefault = freshChannel();
    expect(await ask(`watch ${flow} on started,failed,successful,lost`, all)).toContain(`:bell: This channel now hears about *${flow}* runs: started, failed, successful, lost.`);
    const said = await ask(`watch ${flow}`, byDefault);
    expect(said).toContain(`runs: failed, lost.`);
    expect(said).toContain('failed, lost are the default events');

    const run = await mf.appear(flow);
    const card = await notice(all, flow, run, 'started');
    expect(card.params.thread_ts).toBeUndefined();
    expect(flatText(card.params.blocks)).toContain(`:hourglass_flowing_sand: <${UI}/${flow}/${run}|${flow}/${run}> started`);
    await drained();
    // Slack's one message a second per channel would otherwise add to the time measured below.
    await new Promise((r) => setTimeout(r, 1000));

    const failedAt = Date.now();
    await mf.fail(flow, run);
    const reply = await notice(all, flow, run, 'failed');
    const elapsed = reply.at - failedAt;
    process.stdout.write(`failure → notice in the thread: ${elapsed} ms (poll interval ${POLL_MS} ms)\n`);
    expect(elapsed).toBeLessThan(POLL_MS + 500);

    expect(reply.params.thread_ts).toBe(tsOf(card));
    const told = flatText(reply.params.blocks);
    expect(told).toContain(':x: Failed <!date^');
    expect(told).toContain('in step `a`, task `2`, attempt 1');
    expect(told).toContain(`ValueError: ${FIXTURE_EXCEPTION.message}`);
    expect(told).toContain(`stderr of ${flow}/${run}\nTask failed.`);
    expect(buttons(reply.params.blocks)).toEqual([
      { action_id: 'inspect_run', value: JSON.stringify({ flow, run }), text: 'Inspect', url: undefined },
      { action_id: 'open_in_ui', text: 'Open in Metaflow UI', url: `${UI}/${flow}/${run}`, value: undefined },
    ]);
    // Inspect on the notice opens the run's modal.
    const from = fake.calls.length;
    const press = await slack.blockActions([{ action_id: 'inspect_run', value: JSON.stringify({ flow, run }) }], { message: reply.params });
    expect(press.status).toBe(200);
    const opened = await fake.waitFor('views.open', (c) => fake.calls.indexOf(c) >= from);
    expect((opened.response as { ok: boolean }).ok).toBe(true);
    const runView = await fake.waitFor('views.update', (c) => fake.calls.indexOf(c) > fake.calls.indexOf(opened) && flatText(c.params.view.blocks).includes(`${flow}/${run}`));
    expect(flatText(runView.params.view.blocks)).toContain('failed');
    // The card itself now says failed: edited in place, not posted again.
    const edit = await fake.waitFor('chat.update', (c) => c.params.ts === tsOf(card));
    expect(flatText(edit.params.blocks)).toContain(`failed in step \`a\`, task \`2\`, attempt 1 with \`ValueError\``);
    const [shown] = fake.messages(all).filter((m) => m.ts === tsOf(card));
    expect(shown.updates).toBe(1);

    // The channel with the default events gets one message: the failure, in full.
    const only = await notice(byDefault, flow, run, 'failed');
    expect(only.params.thread_ts).toBeUndefined();
    expect(flatText(only.params.blocks)).toContain(`stderr of ${flow}/${run}`);
    await quiet();
    expect(noticesTo(byDefault)).toHaveLength(1);
    expect(noticesTo(all)).toHaveLength(2);
  });

  it('edits the card when a run succeeds and tells it in the thread', async () => {
    const flow = await freshFlow();
    const channel = freshChannel();
    await ask(`watch ${flow} on all`, channel);
    const run = await mf.appear(flow, { user: 'bob' });
    const card = await notice(channel, flow, run, 'started');
    await mf.finish(flow, run);
    const reply = await notice(channel, flow, run, 'successful');
    expect(reply.params.thread_ts).toBe(tsOf(card));
    expect(flatText(reply.params.blocks)).toContain(':white_check_mark: Finished successfully');
    const edit = await fake.waitFor('chat.update', (c) => c.params.ts === tsOf(card));
    expect(flatText(edit.params.blocks)).toContain(`${flow}/${run}> finished successfully after`);
  });

  it('tells a run that went silent as lost, and still tells how it ends if it comes back', async () => {
    const flow = await freshFlow();
    const channel = freshChannel();
    await ask(`watch ${flow} on started,lost,successful`, channel);
    // Silent since it started, almost the cutoff ago.
    const run = await mf.appear(flow, { at: Date.now() - LOST_AFTER_MS + 2000 });
    const card = await notice(channel, flow, run, 'started');
    const reply = await notice(channel, flow, run, 'lost', 6000);
    expect(reply.params.thread_ts).toBe(tsOf(card));
    expect(flatText(reply.params.blocks)).toContain(':ghost: Lost: no sign of life since');
    // A long silent step, not a dead run: it finishes after all.
    await mf.finish(flow, run);
    const finished = await notice(channel, flow, run, 'successful', 6000);
    expect(finished.params.thread_ts).toBe(tsOf(card));
  });

  it('applies user, tag and project filters', async () => {
    const flow = await freshFlow();
    const [everything, bob, nightly, fraud] = [freshChannel(), freshChannel(), freshChannel(), freshChannel()];
    await ask(`watch ${flow} on started`, everything);
    await ask(`watch ${flow} on started user:bob`, bob);
    await ask(`watch ${flow} on started tag:nightly`, nightly);
    await ask(`watch ${flow} on started project:fraud`, fraud);
    const plain = await mf.appear(flow);
    const byBob = await mf.appear(flow, { user: 'bob' });
    const tagged = await mf.appear(flow, { tags: ['nightly'] });
    const project = await mf.appear(flow, { systemTags: ['project:fraud', 'project_branch:prod'] });
    for (const run of [plain, byBob, tagged, project]) await notice(everything, flow, run, 'started');
    await quiet();
    const runsIn = (channel: string): string[] => noticesTo(channel).map((c) => (c.params.metadata as { event_payload: { run: string } }).event_payload.run);
    expect(runsIn(bob)).toEqual([`${flow}/${byBob}`]);
    expect(runsIn(nightly)).toEqual([`${flow}/${tagged}`]);
    expect(runsIn(fraud)).toEqual([`${flow}/${project}`]);
  });

  it('unwatch stops the notifications; watching lists what a channel watches', async () => {
    const flow = await freshFlow();
    const channel = freshChannel();
    const other = freshChannel();
    await ask(`watch ${flow} on started`, channel);
    await ask(`watch ${flow} on started tag:nightly`, channel);
    await ask(`watch ${flow} on started`, other);
    const listed = await ask('watching', channel);
    expect(listed).toContain(':bell: This channel hears about 2 subscriptions:');
    expect(listed).toContain(`• *${flow}*: started  ·  tagged \`nightly\``);
    expect(listed).toContain('by <@U0ALICE001>');

    expect(await ask(`unwatch ${flow}`, channel)).toContain(`:no_bell: This channel no longer hears about *${flow}* runs (its 2 subscriptions removed).`);
    expect(await ask(`unwatch ${flow.slice(0, -1)}X`, channel)).toContain('This channel does not watch');
    const run = await mf.appear(flow, { tags: ['nightly'] });
    await notice(other, flow, run, 'started');
    await quiet();
    expect(noticesTo(channel)).toEqual([]);
    expect(await ask('watching', channel)).toContain('This channel watches no flows.');
  });

  it('subscribes from a mention too, and answers in its thread', async () => {
    const flow = await freshFlow();
    const channel = freshChannel();
    const event = eventFixture('app_mention', { channel, text: `<@U0BOT00001> watch ${flow} on started` });
    expect((await slack.event(event)).status).toBe(200);
    const answer = await fake.waitFor('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === event.ts);
    expect(flatText(answer.params.blocks)).toContain(`This channel now hears about *${flow}* runs: started.`);
    expect(flatText(answer.params.blocks)).not.toContain('/invite');
    const run = await mf.appear(flow);
    // The card is due within the second of the answer: Slack's limit makes it wait its turn.
    await notice(channel, flow, run, 'started', 8000);
  });

  it('answers bad syntax, unknown events and unknown flows clearly', async () => {
    const flow = await freshFlow();
    const channel = freshChannel();
    expect(await ask('watch', channel)).toContain('Run notifications');
    expect(await ask(`watch ${flow} on sometimes`, channel)).toContain('"sometimes" is not an event I can watch.');
    expect(await ask(`watch ${flow} colour:red`, channel)).toContain('I can\'t read "colour:red" here.');
    expect(await ask(`watch ${flow.toLowerCase()}x`, channel)).toContain('was not found. Did you mean');
    expect(await ask('watching', channel)).toContain('This channel watches no flows.');
  });

  it('waits out a 429 with its Retry-After and posts once; paces a burst at one message a second', async () => {
    const flow = await freshFlow();
    const channel = freshChannel();
    await ask(`watch ${flow} on started`, channel);
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const runs = [await mf.appear(flow), await mf.appear(flow), await mf.appear(flow)];
    for (const run of runs) await notice(channel, flow, run, 'started', 8000);
    const posts = noticesTo(channel);
    expect(posts).toHaveLength(3);
    for (let i = 1; i < posts.length; i++) expect(posts[i].at - posts[i - 1].at).toBeGreaterThanOrEqual(1000);
    // The injected 429 is the only one: the poster never went over Slack's limit itself.
    expect(fake.callsTo('chat.postMessage').filter((c) => c.status === 429 && c.params.channel === channel)).toHaveLength(1);
  });
});

describe('watch under an access policy', () => {
  let guarded: TestBot;
  let asked: SlackClient;
  let flow: string;
  let allowed: string;
  let denied: string;

  beforeAll(async () => {
    flow = await freshFlow();
    [allowed, denied] = [freshChannel(), freshChannel()];
    guarded = await startTestBot({
      slackApiUrl: fake.url,
      metaflowRoot: mf.root,
      pollIntervalMs: POLL_MS,
      lostAfterMs: LOST_AFTER_MS,
      notifier: { requestTimeoutMs: 2000, retries: 0, leaseMs: 90_000, idleMs: 200 },
      access: { default: 'deny', rules: [{ channels: [allowed], usergroups: [], users: [], flows: [flow], projects: ['fraud'] }] },
    });
    asked = slackClient({ baseUrl: guarded.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
  });

  afterAll(async () => {
    await guarded.stop();
  });

  async function askGuarded(text: string, channel: string): Promise<string> {
    const res = await asked.command(text, { channel_id: channel });
    const answer = await fake.waitFor('response_url', (c) => c.url === new URL(res.sent.response_url).pathname);
    return flatText(answer.params.blocks);
  }

  it('refuses a flow the channel may not see, and tells a channel only the runs it may see', async () => {
    expect(await askGuarded(`watch ${flow}`, denied)).toContain('or you may not see it here');
    expect(await askGuarded(`watch ${flow} on started`, allowed)).toContain(`This channel now hears about *${flow}* runs: started.`);
    await mf.appear(flow);
    const visible = await mf.appear(flow, { systemTags: ['project:fraud'] });
    await notice(allowed, flow, visible, 'started');
    await new Promise((r) => setTimeout(r, 2 * POLL_MS + 100));
    // The run outside project fraud came first, and was never told.
    expect(noticesTo(allowed).map((c) => (c.params.metadata as { event_payload: { run: string } }).event_payload.run)).toEqual([`${flow}/${visible}`]);
  });
});

afterAll(() => {
  // Every 429 the fake answered came from failNext or from a mention answer and a card racing
  // for one channel's second; never from two notifications.
  const throttled = fake.callsTo('chat.postMessage').filter((c) => c.status === 429).length;
  expect(throttled).toBeLessThanOrEqual(2);
});
