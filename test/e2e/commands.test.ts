/**
 * `/metaflow …` end to end: signed slash commands over real HTTP into the real bot (fastify +
 * Bolt) reading the fixture runs, answers checked where Slack would get them (the fake's
 * response_urls, which validate every message like Slack does). `runs` and `inspect` open
 * modals from a slash command (runs-modal.test.ts); their message answers are asked for here
 * with a mention, as in a channel.
 */
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot';
import { slackClient, type SlackClient } from '../support/signed';
import { button, buttons, ephemeralButtonPress, eventFixture, flatText, messageButtonPress } from '../fixtures/slack';

const UI = 'https://metaflow-ui.example.com';
const CHANNELS = Array.from({ length: 60 }, (_, i) => ({ id: `C0CMD${String(i).padStart(5, '0')}`, name: `commands-${i}` }));
let channels = 0;
/** Each test talks in its own channel, so the runs chosen by one never leak into another. */
const freshChannel = (): string => CHANNELS[channels++].id;

let fake: FakeSlack;
let bot: TestBot;
let slack: SlackClient;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN, channels: CHANNELS });
  bot = await startTestBot({ slackApiUrl: fake.url, env: { METAFLOW_UI_URL: UI } });
  slack = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
});

interface Answer {
  call: FakeSlackCall;
  blocks: unknown[];
  text: string;
}

function answerOf(call: FakeSlackCall): Answer {
  expect(call.status).toBe(200);
  return { call, blocks: call.params.blocks, text: flatText(call.params.blocks) };
}

/** Sends a slash command; checks Slack's 3-second ack contract; returns the answer. */
async function ask(text: string, channel: string): Promise<Answer> {
  const res = await slack.command(text, { channel_id: channel });
  expect(res.status).toBe(200);
  expect(res.elapsedMs).toBeLessThan(3000);
  const path = new URL(res.sent.response_url).pathname;
  return answerOf(await fake.waitFor('response_url', (c) => c.url === path));
}

/** Mentions the bot in `channel` (in `thread`, or starting one); returns its answer there. */
async function mention(text: string, channel: string, thread?: string): Promise<Answer & { ts: string; thread: string }> {
  const event = eventFixture('app_mention', { channel, text: `<@U0BOT00001> ${text}`, ...(thread ? { thread_ts: thread } : {}) });
  const from = fake.calls.length;
  const res = await slack.event(event);
  expect(res.status).toBe(200);
  expect(res.elapsedMs).toBeLessThan(3000);
  const inThread = thread ?? event.ts;
  const call = await fake.waitFor('chat.postMessage', (c) => fake.calls.indexOf(c) >= from && c.params.channel === channel && c.params.thread_ts === inThread);
  return { ...answerOf(call), ts: (call.response as { ts: string }).ts, thread: inThread };
}

/** Presses a button of a message the bot posted in a thread; returns its answer there. */
async function pressInThread(found: { action_id: string; value?: string }, channel: string, message: { ts: string; thread: string }): Promise<Answer> {
  const from = fake.calls.length;
  const payload = messageButtonPress(found, { channel, responseUrl: fake.mintResponseUrl(), message: { ts: message.ts, thread_ts: message.thread } });
  const res = await slack.action(payload);
  expect(res.status).toBe(200);
  const call = await fake.waitFor('chat.postMessage', (c) => fake.calls.indexOf(c) >= from && c.params.channel === channel && c.params.thread_ts === message.thread);
  return answerOf(call);
}

/** Presses a button of an ephemeral answer in `channel`. */
async function press(found: { action_id: string; value?: string }, channel: string): Promise<Answer> {
  const responseUrl = fake.mintResponseUrl();
  const res = await slack.action(ephemeralButtonPress(found, { channel, responseUrl, triggerId: fake.mintTriggerId() }));
  expect(res.status).toBe(200);
  expect(res.elapsedMs).toBeLessThan(3000);
  return answerOf(await fake.waitFor('response_url', (c) => c.url === new URL(responseUrl).pathname));
}

describe('help', () => {
  it('answers a bare /metaflow and `help` with every command, ephemerally, with a share button', async () => {
    for (const text of ['', 'help']) {
      const { call, text: said, blocks } = await ask(text, freshChannel());
      expect(call.params.response_type).toBe('ephemeral');
      for (const command of ['runs', 'inspect', 'use', 'status', 'params', 'export', 'data', 'logs', 'version']) {
        expect(said).toContain(`/metaflow ${command}`);
      }
      expect(button(blocks, 'share_in_channel').text).toBe('Share in channel');
    }
  });

  it.each([
    ['inspect', 'Inspecting a run'],
    ['data', 'Artifacts'],
    ['logs', 'Logs'],
    ['runs', 'Listing runs'],
    ['status', 'Run status'],
    ['params', 'Parameters'],
  ])('has a topic for `help %s`', async (topic, title) => {
    const { blocks, text } = await ask(`help ${topic}`, freshChannel());
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: title } });
    expect(text).toContain(`/metaflow ${topic}`);
  });

  it('links each topic from the overview', async () => {
    const channel = freshChannel();
    const overview = await ask('help', channel);
    const topic = await press(button(overview.blocks, 'help_topic:logs'), channel);
    expect(topic.text).toContain('Logs');
    expect(topic.text).toContain('/metaflow logs train stderr');
  });
});

describe('runs', () => {
  it('without a flow lists every flow with the status of its latest run', async () => {
    const { text } = await mention('runs', freshChannel());
    expect(text).toContain('*FailFlow*  :x:');
    expect(text).toContain('*HelloFlow*  :white_check_mark:');
    expect(text).toContain('*SleepyFlow*  :ghost:');
    expect(text).toContain('Flows 1–10 of 10');
  });

  it('with a flow lists its runs newest first with status, user, start and duration', async () => {
    const { blocks, text } = await mention('runs HelloFlow', freshChannel());
    const ids = ['1795835881413377', '1795835876936752', '1795835872379314'];
    const positions = ids.map((id) => text.indexOf(`|${id}>`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toContain(`:white_check_mark: <${UI}/HelloFlow/1795835881413377|1795835881413377>  ·  alice  ·  <!date^1795835881^`);
    expect(text).toMatch(/·\s+\d+s/);
    expect(buttons(blocks).filter((b) => b.action_id === 'pick_run')).toHaveLength(3);
    expect(buttons(blocks).some((b) => b.action_id === 'runs_more')).toBe(false);
  });

  it("with a query lists only the runs it matches: bob's BranchFlow", async () => {
    const { text } = await mention("runs bob's BranchFlow", freshChannel());
    expect(text).toContain('1795835902618057');
    expect(text).not.toContain('1795835898163077');
  });
});

describe('inspect and use', () => {
  it('without a run shows how to inspect', async () => {
    const { text } = await mention('inspect', freshChannel());
    expect(text).toContain('Inspecting a run');
    expect(text).toContain('latest run of HelloFlow');
  });

  it('explains the query grammar for `how to inspect`', async () => {
    const { text } = await ask('how to inspect', freshChannel());
    expect(text).toContain('*Run queries*');
    expect(text).toContain("alice's HelloFlow");
    expect(text).toContain('HelloFlow tagged nightly, team:ml');
  });

  it('offers the runs a query matches, and a button inspects the one chosen', async () => {
    const channel = freshChannel();
    const list = await mention("inspect alice's HelloFlow", channel);
    expect(list.text).toContain('matches 3 runs. Which one?');
    const choices = buttons(list.blocks).filter((b) => b.action_id === 'pick_run');
    expect(choices.map((b) => b.text)).toEqual(['Inspect', 'Inspect', 'Inspect']);
    const overview = await pressInThread(choices[1], channel, list);
    expect(overview.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'HelloFlow/1795835876936752' } });
    // The chosen run is now the thread's run.
    expect((await mention('inspect', channel, list.thread)).blocks[0]).toEqual(overview.blocks[0]);
  });

  it('shows a run overview with its status, steps and a link to the Metaflow UI', async () => {
    const { text, blocks } = await mention('inspect FailFlow/1795835906791541', freshChannel());
    expect(text).toContain('*Status*\n:x: failed');
    expect(text).toContain(':x: `explode`  ·  1 task');
    expect(text).toContain(':white_check_mark: `start`');
    expect(button(blocks, 'open_in_ui').url).toBe(`${UI}/FailFlow/1795835906791541`);
  });

  it('`use` chooses the run that later commands read', async () => {
    const channel = freshChannel();
    const used = await ask('use latest run of ParamsFlow', channel);
    expect(used.text).toContain('This conversation now looks at');
    expect(used.text).toContain('ParamsFlow/1795835888659417');
    const overview = await mention('inspect', channel);
    expect(overview.text).toContain('ParamsFlow/1795835888659417');
    expect(overview.text).toContain('`count` = `7`');
  });

  it('answers a query that does not parse with what was expected and where to read more', async () => {
    const { text } = await mention('inspect HelloFlow tagged', freshChannel());
    expect(text).toContain(`I couldn't read that run query. Expected a tag after "tagged"`);
    expect(text).toContain('@metaflow how to inspect');
    expect(text).not.toMatch(/RunQueryError|at .*\.ts:\d+/);
  });

  it('answers an unknown flow with the closest one', async () => {
    const { text } = await mention('inspect helloflow/1', freshChannel());
    expect(text).toContain('Flow helloflow was not found. Did you mean HelloFlow?');
  });
});

describe('status', () => {
  it('without a run says how to choose one', async () => {
    const { text } = await ask('status', freshChannel());
    expect(text).toContain('This conversation has no run yet.');
    expect(text).toContain('/metaflow use HelloFlow/42');
  });

  it('of a successful run says it finished, when, and after how long', async () => {
    const { text } = await ask('status HelloFlow/1795835881413377', freshChannel());
    expect(text).toMatch(/:white_check_mark: <[^>]+\|HelloFlow\/1795835881413377> finished successfully <!date\^\d+\^[^>]+> after \d+s\./);
  });

  it('of a failed run names the failing step and task, and the exception', async () => {
    const channel = freshChannel();
    await ask('use FailFlow/1795835906791541', channel);
    const { text } = await ask('status', channel);
    expect(text).toContain('failed');
    expect(text).toContain('in step `explode` (task `2`) with `ValueError`');
    expect(text).toContain('ValueError: boom: intentional failure for fixtures');
  });

  it('of a lost run says it stopped reporting', async () => {
    const { text } = await ask('status SleepyFlow/1795835929540849', freshChannel());
    expect(text).toContain(':ghost:');
    expect(text).toContain('stopped reporting');
    expect(text).toContain('Unfinished: `nap`');
  });
});

describe('params and export', () => {
  it('params without a run says how to choose one', async () => {
    expect((await ask('params', freshChannel())).text).toContain('This conversation has no run yet.');
  });

  it('params shows each parameter with its value', async () => {
    const { text } = await ask('params ParamsFlow/1795835888659417', freshChannel());
    expect(text).toContain("`config` _dict_  `{'mode': 'slow', 'levels': [3], 'nested': {'k': None}}`");
    expect(text).toContain('`count` _int_  `7`');
    expect(text).toContain("`greeting` _str_  `'héllo wörld'`");
    expect(text).toContain('`ratio` _float_  `2.5`');
    expect(text).toContain('`verbose` _bool_  `True`');
  });

  it('export uploads the run, steps, tasks, parameters and tags as JSON into the channel', async () => {
    const channel = freshChannel();
    const res = await slack.command('export ParamsFlow/1795835885403547', { channel_id: channel });
    expect(res.status).toBe(200);
    const complete = await fake.waitFor('files.completeUploadExternal', (c) => c.params.channel_id === channel);
    expect(complete.status).toBe(200);
    const file = fake.file(complete.params.files[0].id);
    expect(file?.filename).toBe('ParamsFlow-1795835885403547.json');
    expect(file?.initialComment).toContain('ParamsFlow/1795835885403547');
    const doc = JSON.parse(String(file?.bytes));
    expect(doc.run).toMatchObject({ pathspec: 'ParamsFlow/1795835885403547', user: 'alice', status: 'successful' });
    expect([...doc.run.tags].sort()).toEqual(['nightly', 'reviewed']);
    expect(doc.parameters.count).toEqual({ type: 'int', repr: '3' });
    expect(doc.steps.map((s: { name: string }) => s.name)).toEqual(['start', 'end']);
    expect(doc.steps[0].tasks[0]).toMatchObject({ status: 'successful', pathspec: expect.stringMatching(/^ParamsFlow\/1795835885403547\/start\//) });
  });
});

describe('data', () => {
  it('without an argument shows how to use it', async () => {
    expect((await ask('data', freshChannel())).text).toContain('Artifacts');
  });

  it('for a step, without a run chosen, says how to choose one', async () => {
    const { text } = await ask('data start', freshChannel());
    expect(text).toContain('This conversation has no run yet.');
    expect(text).toContain('/metaflow data start');
  });

  it("for a step of the conversation's run lists each task's artifacts with previews", async () => {
    const channel = freshChannel();
    await ask('use ForeachFlow/1795835892295200', channel);
    const { text } = await ask('data process', channel);
    expect(text).toContain('Artifacts of ForeachFlow/1795835892295200/process');
    expect(text).toContain('task `2` (index 0)');
    expect(text).toContain("• `item` _str");
    expect(text).toContain("`'apple'`");
    expect(text).toContain("`'elderberry'`");
  });

  it('for a step and a name shows that one artifact', async () => {
    const channel = freshChannel();
    await ask('use ForeachFlow/1795835892295200', channel);
    const { text } = await ask('data process result', channel);
    expect(text).toContain('result in ForeachFlow/1795835892295200/process');
    expect(text).toContain("```\n'APPLE'\n```");
    expect(text).not.toContain('`items`');
  });

  it('for a full pathspec of a task needs no run chosen', async () => {
    const { text } = await ask('data ForeachFlow/1795835892295200/process/3 item', freshChannel());
    expect(text).toContain("'banana'");
    expect(text).not.toContain("'apple'");
  });

  it('for a name no task has says so, with the closest name', async () => {
    const { text } = await ask('data ForeachFlow/1795835892295200/process/3 reslt', freshChannel());
    expect(text).toContain('Did you mean result?');
  });
});

describe('logs', () => {
  it('without an argument shows how to use it', async () => {
    expect((await ask('logs', freshChannel())).text).toContain('/metaflow logs train stderr');
  });

  it('for a step, without a run chosen, says how to choose one', async () => {
    expect((await ask('logs start', freshChannel())).text).toContain('This conversation has no run yet.');
  });

  it("shows the end of stdout and stderr of the step's task", async () => {
    const channel = freshChannel();
    await ask('use LogsFlow/1795835915468133', channel);
    const { text } = await ask('logs chatty', channel);
    expect(text).toContain('Logs of LogsFlow/1795835915468133/chatty');
    expect(text).toContain('*stdout*');
    expect(text).toContain('*stderr*');
    expect(text).toMatch(/```\n[\s\S]+\n```/);
  });

  it('for a foreach shows the first tasks and how many more there are', async () => {
    const { text } = await ask('logs ForeachFlow/1795835892295200/process stdout', freshChannel());
    expect(text).toContain('3 of 5 tasks');
    expect(text).toContain('2 more tasks not shown');
    expect(text).not.toContain('*stderr*');
  });
});

describe('everything else', () => {
  it('answers text it does not understand with help and the closest command', async () => {
    const { text } = await ask('lgos start', freshChannel());
    expect(text).toContain('Did you mean `/metaflow logs`?');
    expect(text).toContain('/metaflow inspect [query]');
  });

  it('tells its version and backend', async () => {
    const { text } = await ask('version', freshChannel());
    expect(text).toContain('*metaflowbot*\n0.1.0');
    expect(text).toContain('metadata: local');
  });

  it('shares an ephemeral answer in the channel, the same blocks for everyone', async () => {
    const channel = freshChannel();
    const answer = await ask('params ParamsFlow/1795835888659417', channel);
    const shared = await press(button(answer.blocks, 'share_in_channel'), channel);
    expect(shared.call.params.response_type).toBe('in_channel');
    expect(shared.blocks.slice(0, -1)).toEqual(answer.blocks.slice(0, -1));
    expect(shared.text).toContain('Shared by <@U0ALICE001>');
    expect(buttons(shared.blocks).some((b) => b.action_id === 'share_in_channel')).toBe(false);
  });
});
