/**
 * `/metaflow runs` and `/metaflow inspect` as modals, end to end: signed slash commands and
 * clicks over real HTTP into the real bot reading the fixture runs, views read where Slack
 * would get them (the fake's views.* calls, which validate every view and enforce trigger_ids
 * and the 3-view stack like Slack).
 */
import { DEFAULT_CHANNELS, startFakeSlack, type FakeSlack, type FakeView } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot';
import type { Params } from '../support/fake-slack/http';
import { slackClient } from '../support/signed';
import { localClient } from '../support/local-client';
import { ACK_MS, driver, externalChoice, find, isLoading, kindOf, reopen, textOf, walk, type Driver, type Outcome } from './drive';

const UI = 'https://metaflow-ui.example.com';
const FAIL_RUN = 'FailFlow/1795835906791541';

let fake: FakeSlack;
let bot: TestBot;
let d: Driver;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN, channels: [...DEFAULT_CHANNELS, { id: 'C0NEW00001', name: 'new' }] });
  bot = await startTestBot({ slackApiUrl: fake.url, env: { METAFLOW_UI_URL: UI } });
  d = driver(fake, slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake }));
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
});

function shown(outcome: Outcome): FakeView {
  expect(outcome.ackMs).toBeLessThan(ACK_MS);
  const refused = outcome.calls.filter((c) => (c.response as Params)?.ok === false);
  expect(refused.map((c) => `${c.method} ${JSON.stringify(c.response)}`)).toEqual([]);
  expect(outcome.view).toBeDefined();
  return outcome.view as FakeView;
}

async function open(text: string): Promise<FakeView> {
  return shown(await d.command(text));
}

async function click(view: FakeView, actionId: string, which?: { text?: string; value?: string }): Promise<FakeView> {
  return shown(await d.click(view, find(view, actionId, which)));
}

describe('the runs modal', () => {
  it('opens at once with a loading view, then fills it with every flow and its latest run', async () => {
    const outcome = await d.command('runs');
    const view = shown(outcome);
    const [first, second] = outcome.calls.filter((c) => c.method.startsWith('views.'));
    expect(first.method).toBe('views.open');
    expect(isLoading(first.params.view)).toBe(true);
    expect(second.method).toBe('views.update');
    expect(second.params.view_id).toBe((first.response as Params).view.id);
    expect(second.params.hash).toBe((first.response as Params).view.hash);
    expect(view.title.text).toBe('Metaflow runs');
    const text = textOf(view);
    expect(text).toContain('Flows 1–10 of 10');
    expect(text).toContain(`*FailFlow*  :x: <${UI}/FailFlow/1795835906791541|1795835906791541>`);
    expect(text).toContain('*SleepyFlow*  :ghost:');
    expect(find(view, 'pick_flow', { value: '{"flow":"HelloFlow"}' }).value).toBeDefined();
  });

  it("shows a flow's runs with status, user, start and duration, each with an Inspect button", async () => {
    const view = await open('runs HelloFlow');
    const text = textOf(view);
    expect(text).toContain('Runs 1–3 of 3, newest first');
    expect(text).toContain(`:white_check_mark: <${UI}/HelloFlow/1795835881413377|1795835881413377>  ·  alice  ·  <!date^1795835881^`);
    expect(text).toMatch(/·\s+\d+s/);
    const picker = view.blocks.find((b: Params) => b.block_id === 'flow_picker').elements[0];
    expect(picker).toMatchObject({ type: 'external_select', min_query_length: 0, initial_option: { value: 'HelloFlow' } });
    const inspects = view.blocks.filter((b: Params) => b.accessory?.action_id === 'inspect_run');
    expect(inspects).toHaveLength(3);
  });

  it('offers every flow in the flow picker as the user types', async () => {
    const view = await open('runs');
    const all = await d.slack.blockSuggestion({ action_id: 'runs_flow', block_id: 'flow_picker', value: '' }, { view });
    expect(all.status).toBe(200);
    expect(all.elapsedMs).toBeLessThan(ACK_MS);
    expect(all.json().options.map((o: Params) => o.value)).toHaveLength(10);
    const typed = async (value: string): Promise<string[]> =>
      (await d.slack.blockSuggestion({ action_id: 'runs_flow', block_id: 'flow_picker', value }, { view })).json().options.map((o: Params) => o.value);
    expect(await typed('hello')).toEqual(['HelloFlow']);
    // Names that start with what was typed come first, then those that contain it.
    expect(await typed('f')).toEqual(['FailFlow', 'ForeachFlow', 'ArtifactsFlow', 'BranchFlow', 'HelloFlow', 'LogsFlow', 'ParamsFlow', 'ProjectFlow', 'RetryFlow', 'SleepyFlow']);
    const picked = shown(await d.click(view, externalChoice('runs_flow', 'ParamsFlow')));
    expect(textOf(picked)).toContain('Runs 1–2 of 2');
  });

  it('filters by status and by user', async () => {
    const runs = await open('runs FailFlow');
    const successful = await click(runs, 'runs_status', { value: 'successful' });
    expect(textOf(successful)).toContain('No runs of *FailFlow* match these filters.');
    const failed = await click(successful, 'runs_status', { value: 'failed' });
    expect(textOf(failed)).toContain('Runs 1, newest first');
    expect(textOf(failed)).toContain('1795835906791541');

    const branch = await open('runs BranchFlow');
    expect(textOf(branch)).toContain('Runs 1–2 of 2');
    const bobs = await click(branch, 'runs_user', { value: 'u:bob' });
    expect(textOf(bobs)).toContain('1795835902618057');
    expect(textOf(bobs)).not.toContain('1795835898163077');
    const tagged = await click(await reopen(fake, branch), 'runs_tag', { value: 't:from-bob' });
    expect(textOf(tagged)).toContain('Runs 1, newest first');
    expect(textOf(tagged)).toContain('1795835902618057');
  });

  it('offers "Mine" for the Metaflow user of whoever looks (their email, by default)', async () => {
    const branch = await open('runs BranchFlow');
    const mine = await click(branch, 'runs_user', { text: 'Mine (alice)' });
    expect(textOf(mine)).toContain('1795835898163077');
    expect(textOf(mine)).not.toContain('1795835902618057');
    expect(mine.blocks.find((b: Params) => b.block_id === 'run_filters').elements[0].initial_option.text.text).toBe('Mine (alice)');
  });

  it('opens from a query with its filters set: `runs alice\'s BranchFlow tagged from-bob` finds none', async () => {
    const view = await open("runs alice's BranchFlow tagged from-bob");
    expect(textOf(view)).toContain('No runs of *BranchFlow* match these filters.');
  });

  it('says what is wrong with a query or an unknown flow, inside the modal', async () => {
    expect(textOf(await open('runs HelloFlow tagged'))).toContain("I couldn't read that run query.");
    const unknown = await open('runs helloflow');
    expect(textOf(unknown)).toContain('Flow helloflow was not found. Did you mean HelloFlow?');
    const back = await click(unknown, 'nav_back');
    expect(textOf(back)).toContain('Flows 1–10 of 10');
  });
});

describe('inspecting by clicks', () => {
  it("reaches the stderr of FailFlow's failed task from /metaflow runs by clicks only", async () => {
    const flows = await open('runs');
    const runs = await click(flows, 'pick_flow', { value: '{"flow":"FailFlow"}' });
    const run = await click(runs, 'inspect_run');
    expect(run.previous_view_id).toBe(runs.id);
    expect(run.header ?? run.blocks[0].text.text).toBe(FAIL_RUN);
    const runText = textOf(run);
    expect(runText).toContain('*Status*\n:x: failed');
    expect(runText).toContain(':x: `explode`  ·  1 task');
    const step = await click(run, 'pick_step', { value: 'explode' });
    expect(step.previous_view_id).toBe(run.id);
    expect(textOf(step)).toContain('Tasks 1 of 1; failed and running ones first');
    const task = await click(step, 'open_task');
    // The stack is full (3 views): the task replaces the step in place.
    expect(task.id).toBe(step.id);
    expect(textOf(task)).toContain('ValueError');
    const stderr = await click(task, 'open_stderr');
    expect(stderr.blocks[0].text.text).toBe(`stderr of ${FAIL_RUN}/explode/2`);
    expect(textOf(stderr)).toContain('ValueError: boom: intentional failure for fixtures');
    const stdout = await click(stderr, 'open_stdout');
    expect(stdout.blocks[0].text.text).toBe(`stdout of ${FAIL_RUN}/explode/2`);
    const back = await click(stdout, 'nav_back');
    expect(back.blocks[0].text.text).toBe(`${FAIL_RUN}/explode/2`);
    expect(textOf(await click(back, 'nav_back'))).toContain('Tasks 1 of 1');
  });

  it('never pushes more than twice: a deep walk updates the third view in place', async () => {
    fake.clearCalls();
    let view = await open('runs LogsFlow');
    view = await click(view, 'inspect_run');
    view = await click(view, 'pick_step', { value: 'chatty' });
    view = await click(view, 'open_task');
    view = await click(view, 'open_stdout');
    view = await click(view, 'nav_back');
    view = await click(view, 'nav_back');
    view = await click(view, 'nav_back');
    expect(textOf(view)).toContain('*Steps*');
    view = await click(view, 'pick_step', { value: 'end' });
    view = await click(view, 'open_task');
    view = await click(view, 'open_stderr');
    expect(view.blocks[0].text.text).toBe('stderr of LogsFlow/1795835915468133/end/3');
    expect(fake.callsTo('views.push').map((c) => (c.response as Params).ok)).toEqual([true, true]);
    expect(fake.calls.filter((c) => (c.response as Params)?.error === 'push_limit_reached')).toEqual([]);
  });

  it('pages through a long artifact with "Show full value", and uploads a huge one as a file', async () => {
    let view = await open('inspect ArtifactsFlow/1795835921266226/start/1');
    expect(view.blocks[0].text.text).toBe('ArtifactsFlow/1795835921266226/start/1');
    const long = await click(view, 'open_artifact', { value: '{"name":"long_str"}' });
    expect(textOf(long)).toContain('Characters 1–12,000 of 102,402');
    const next = await click(long, 'page_next');
    expect(textOf(next)).toContain('Characters 12,001–24,000 of 102,402');
    const previous = await click(next, 'page_previous');
    expect(textOf(previous)).toContain('Characters 1–12,000 of 102,402');
    let last = previous;
    for (let i = 0; i < 8; i++) last = await click(last, 'page_next');
    expect(textOf(last)).toContain('Characters 96,001–102,402 of 102,402');
    expect(() => find(last, 'page_next')).toThrow();

    view = await open('inspect ArtifactsFlow/1795835921266226/start/1');
    const blob = await click(view, 'open_artifact', { value: '{"name":"blob_5mb"}' });
    expect(textOf(blob)).toContain('upload it as a file for the rest');
    const uploaded = await click(blob, 'upload_artifact');
    expect(textOf(uploaded)).toContain(':page_facing_up: Posted `ArtifactsFlow-1795835921266226-start-1-blob_5mb.txt` in <#C0GENERAL1>.');
    const complete = await fake.waitFor('files.completeUploadExternal', (c) => c.params.channel_id === 'C0GENERAL1');
    const file = fake.file(complete.params.files[0].id);
    expect(file?.bytes?.length).toBeGreaterThan(1_000_000);
  });

  it('pages back through a long log with "Older" and "Newer"', async () => {
    const logs = await click(await open('inspect LogsFlow/1795835915468133/chatty/2'), 'open_stdout');
    const newest = textOf(logs);
    expect(newest).toContain('The last 80 lines');
    const older = await click(logs, 'page_next');
    expect(textOf(older)).toContain('80 lines, 1 page back from the end');
    expect(textOf(older)).not.toEqual(newest);
    const oldest = await click(older, 'page_next');
    expect(textOf(oldest)).toContain('2 pages back');
    const newer = await click(await click(oldest, 'page_previous'), 'page_previous');
    expect(textOf(newer)).toEqual(newest);
  });

  it('uploads the full log as a file in the conversation the modal came from', async () => {
    const logs = await click(await open('inspect LogsFlow/1795835915468133/chatty/2'), 'open_stdout');
    const after = await click(logs, 'upload_log');
    expect(textOf(after)).toContain('Posted `LogsFlow-1795835915468133-chatty-2-stdout.log` in <#C0GENERAL1>.');
    const complete = await fake.waitFor('files.completeUploadExternal', (c) => c.params.files?.[0]?.title?.startsWith('stdout of LogsFlow'));
    const file = fake.file(complete.params.files[0].id);
    const whole = await localClient().readFullLog({ flow: 'LogsFlow', run: '1795835915468133', step: 'chatty', task: '2' }, { stream: 'stdout' });
    expect(String(file?.bytes)).toBe(whole.text);
    expect(file?.initialComment).toContain('The stdout of `LogsFlow/1795835915468133/chatty/2`, attempt 1.');
  });

  it('offers the attempts of a retried task', async () => {
    const logs = await click(await open('inspect RetryFlow/1795835910380706/flaky/2'), 'open_stdout');
    expect(textOf(logs)).toContain('attempt 2');
    const first = await click(logs, 'log_attempt', { value: '0' });
    expect(textOf(first)).toContain('attempt 1');
  });
});

describe('inspect', () => {
  it('opens the run, step or task a query names, and makes the run the channel’s', async () => {
    const run = await open(`inspect ${FAIL_RUN}`);
    expect(run.blocks[0].text.text).toBe(FAIL_RUN);
    expect(find(run, 'open_in_ui').type).toBe('button');
    expect(await bot.state.currentRun({ channel: 'C0GENERAL1' })).toBe(FAIL_RUN);
    const step = await open(`inspect ${FAIL_RUN}/explode`);
    expect(step.blocks[0].text.text).toBe(`${FAIL_RUN}/explode`);
    const task = await open(`inspect ${FAIL_RUN}/explode/2`);
    expect(task.blocks[0].text.text).toBe(`${FAIL_RUN}/explode/2`);
    const latest = await open('inspect latest run of HelloFlow');
    expect(latest.blocks[0].text.text).toBe('HelloFlow/1795835881413377');
  });

  it('lists the runs a query matches when it matches several', async () => {
    const view = await open("inspect alice's HelloFlow");
    expect(kindOf(view)).toBe('rs');
    // Filtered by user, the total is not known without reading every run.
    expect(textOf(view)).toContain('Runs 1–3, newest first');
  });

  it('without a query and without a run in the channel asks for one, then shows it', async () => {
    const view = shown(await d.command('inspect', { channel_id: 'C0NEW00001' }));
    expect(view.callback_id).toBe('inspect_query');
    const bad = await d.submit(view, { inspect_query: { inspect_query_input: { type: 'plain_text_input', value: 'HelloFlow tagged' } } });
    expect(bad.ack).toMatchObject({ response_action: 'errors', errors: { inspect_query: expect.stringContaining('Expected a tag after "tagged"') } });
    const unknown = await d.submit(view, { inspect_query: { inspect_query_input: { type: 'plain_text_input', value: 'NoSuchFlow/1' } } });
    expect(unknown.ack).toMatchObject({ response_action: 'errors', errors: { inspect_query: 'Flow NoSuchFlow was not found.' } });
    const good = await d.submit(view, { inspect_query: { inspect_query_input: { type: 'plain_text_input', value: 'latest run of ParamsFlow' } } });
    expect(good.ackMs).toBeLessThan(ACK_MS);
    const result = good.ack?.response_action === 'update' && !isLoading(good.ack.view) ? good.ack.view : good.view;
    expect(result.blocks[0].text.text).toBe('ParamsFlow/1795835888659417');
    expect(textOf(result)).toContain("`greeting` = `'héllo wörld'`");
  });

  it('with the channel’s run and no query shows that run', async () => {
    await bot.state.setCurrentRun({ channel: 'C0DATASCI1' }, 'ParamsFlow/1795835885403547');
    const outcome = await d.command('inspect', { channel_id: 'C0DATASCI1' });
    expect(shown(outcome).blocks[0].text.text).toBe('ParamsFlow/1795835885403547');
  });

  it('answers with the message when the modal cannot open (an expired trigger_id)', async () => {
    const responseUrl = fake.mintResponseUrl();
    const res = await d.slack.command(`inspect ${FAIL_RUN}`, { trigger_id: fake.mintTriggerId({ ttlMs: 0 }), response_url: responseUrl });
    expect(res.status).toBe(200);
    const answer = await fake.waitFor('response_url', (c) => c.url === new URL(responseUrl).pathname);
    expect(textOf(answer.params)).toContain('*Status*\n:x: failed');
  });
});

describe('state lives in the views', () => {
  async function clickWith(view: FakeView, metadata: string): Promise<FakeView> {
    const forged = await reopen(fake, { ...view, private_metadata: metadata });
    return shown(await d.click(forged, find(view, 'nav_back')));
  }

  it('answers a garbled, foreign or stale private_metadata with the out-of-date view', async () => {
    const run = await open(`inspect ${FAIL_RUN}`);
    for (const metadata of ['garbage', '{"k":"r"}', 'm1{"k":"r","d":1,"f":"FailFlow"}', 'm0{"k":"r","d":1}', 'm1{"k":"r","d":9,"f":"A","r":"1"}', 'm1{"k":"r","d":1,"f":"../x","r":"1"}']) {
      const after = await clickWith(run, metadata);
      expect(textOf(after)).toContain('This view is out of date; reopen it.');
    }
  });

  it('answers a forged button value with the out-of-date view', async () => {
    const runs = await open('runs FailFlow');
    const forged = { ...find(runs, 'inspect_run'), value: '{"flow":"FailFlow","run":"../../etc"}' };
    const after = shown(await d.click(runs, forged));
    expect(textOf(after)).toContain('This view is out of date; reopen it.');
  });

  it('lets another replica (or the same bot after a restart) answer the next click', async () => {
    const other = await startTestBot({ slackApiUrl: fake.url, env: { METAFLOW_UI_URL: UI } });
    try {
      const runs = await open('runs FailFlow');
      const elsewhere = driver(fake, slackClient({ baseUrl: other.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake }));
      const run = shown(await elsewhere.click(runs, find(runs, 'inspect_run')));
      expect(run.blocks[0].text.text).toBe(FAIL_RUN);
    } finally {
      await other.stop();
    }
  });
});

describe('every button and select', () => {
  it('of every view reached from /metaflow runs answers within 3 s with a view Slack accepts', async () => {
    const start = await open('runs');
    const report = await walk(d, start, {
      maxClicks: 150,
      perKind: 6,
      suggestions: 3,
      restore: (view) => reopen(fake, view),
      check: (view, via) => {
        const text = textOf(view);
        if (text.includes('out of date') || text.includes(':warning:')) throw new Error(`${via} led to: ${text.slice(0, 300)}`);
      },
    });
    expect(report.clicks).toBeGreaterThanOrEqual(100);
    expect(report.slowestAckMs).toBeLessThan(ACK_MS);
    expect([...report.kinds].sort()).toEqual(['a', 'fl', 'l', 'r', 'rs', 's', 't']);
  }, 120_000);
});
