/**
 * `/metaflow` on a synthetic `.metaflow` folder (bench/generate-local.ts) shaped where the
 * fixture runs are too small: a flow with more runs than a page, more flows than a page, a
 * run that is running right now and a foreach of many tasks. Both the modals and the message
 * answers (which `runs` and `inspect` give where a modal cannot open) page through them.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset, type DatasetInfo } from '../../bench/generate-local';
import { startFakeSlack, type FakeSlack, type FakeSlackCall, type FakeView } from '../support/fake-slack';
import type { Params } from '../support/fake-slack/http';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot';
import { slackClient, type SlackClient } from '../support/signed';
import { button, buttons, ephemeralButtonPress, flatText } from '../fixtures/slack';
import { ACK_MS, driver, find, textOf, type Driver, type Outcome } from './drive';

const SCALE = { flows: 24, runsPerFlow: 1, bigRuns: 30, foreachTasks: 40, logLines: 300, detailedRuns: 5 };

let dir: string;
let info: DatasetInfo;
let fake: FakeSlack;
let bot: TestBot;
let slack: SlackClient;

beforeAll(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'metaflowbot-commands-'));
  // Laid out from now, so that BigFlow's newest run is running while the tests read it.
  info = await generateDataset(dir, SCALE, { now: Date.now() });
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN });
  bot = await startTestBot({ slackApiUrl: fake.url, metaflowRoot: info.root });
  slack = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake });
});

afterAll(async () => {
  await bot.stop();
  await fake.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function answerOf(call: FakeSlackCall): { call: FakeSlackCall; blocks: unknown[]; text: string } {
  expect(call.status).toBe(200);
  return { call, blocks: call.params.blocks, text: flatText(call.params.blocks) };
}

/** A slash command answered with a message: for `runs` and `inspect`, where no modal can open
 *  (the trigger_id expired before the bot could use it). */
async function ask(text: string) {
  const res = await slack.command(text, { trigger_id: fake.mintTriggerId({ ttlMs: 0 }) });
  expect(res.status).toBe(200);
  expect(res.elapsedMs).toBeLessThan(3000);
  return answerOf(await fake.waitFor('response_url', (c) => c.url === new URL(res.sent.response_url).pathname));
}

async function press(found: { action_id: string; value?: string }) {
  const responseUrl = fake.mintResponseUrl();
  const res = await slack.action(ephemeralButtonPress(found, { channel: 'C0GENERAL1', responseUrl }));
  expect(res.status).toBe(200);
  return answerOf(await fake.waitFor('response_url', (c) => c.url === new URL(responseUrl).pathname));
}

it('pages through a flow’s runs with a More button, newest first', async () => {
  const first = await ask('runs BigFlow');
  expect(first.text).toContain('Runs 1–20 of 30, newest first');
  const runIds = info.big.runIds;
  expect(first.text).toContain(`*${runIds[0]}*`);
  expect(first.text).toContain(`*${runIds[19]}*`);
  expect(first.text).not.toContain(`*${runIds[20]}*`);
  const second = await press(button(first.blocks, 'runs_more'));
  expect(second.call.params.replace_original).toBe(true);
  expect(second.text).toContain('Runs 21–30 of 30, newest first');
  expect(second.text).toContain(`*${runIds[29]}*`);
  expect(second.text).not.toContain(`*${runIds[19]}*`);
  expect(buttons(second.blocks).some((b) => b.action_id === 'runs_more')).toBe(false);
});

it('shares a page a More button showed, produced again from what the Share button carries', async () => {
  const first = await ask('runs BigFlow');
  const second = await press(button(first.blocks, 'runs_more'));
  const shared = await press(button(second.blocks, 'share_in_channel'));
  expect(shared.call.params.response_type).toBe('in_channel');
  expect(shared.blocks.slice(0, -1)).toEqual(second.blocks.slice(0, -1));
});

it('pages through the flows with a More flows button', async () => {
  const first = await ask('runs');
  expect(first.text).toContain('Flows 1–20 of 25');
  const second = await press(button(first.blocks, 'flows_more'));
  expect(second.text).toContain('Flows 21–25 of 25');
  expect(second.text).toContain('*Flow23*');
});

it('shows the current step and active tasks of a running run', async () => {
  const { text } = await ask(`status BigFlow/${info.big.running}`);
  expect(text).toContain(':hourglass_flowing_sand:');
  expect(text).toContain('is running: started');
  expect(text).toContain('*Current steps*');
  expect(text).toMatch(/:hourglass_flowing_sand: `\w+`  ·  1 task running: `\d+`/);
});

it('shows the first tasks of a big foreach and how many more there are', async () => {
  const where = `BigFlow/${info.big.foreachRun}/${info.big.foreachStep}`;
  const logs = await ask(`logs ${where}`);
  expect(logs.text).toContain('3 of 40 tasks');
  expect(logs.text).toContain('37 more tasks not shown');
  const data = await ask(`data ${where}`);
  expect(data.text).toContain('The first 5 of 40 tasks');
  const step = await ask(`inspect ${where}`);
  expect(step.text).toContain('40 tasks');
  expect(step.text.match(/:white_check_mark: task `/g)).toHaveLength(40);
});

describe('modals', () => {
  let d: Driver;
  beforeAll(() => {
    d = driver(fake, slack);
  });

  function shown(outcome: Outcome): FakeView {
    expect(outcome.ackMs).toBeLessThan(ACK_MS);
    expect(outcome.calls.filter((c) => (c.response as Params)?.ok === false)).toEqual([]);
    return outcome.view as FakeView;
  }
  const click = async (view: FakeView, actionId: string, which?: { text?: string; value?: string }): Promise<FakeView> =>
    shown(await d.click(view, find(view, actionId, which)));

  it('pages through a flow’s runs with Previous and Next, newest first', async () => {
    const runIds = info.big.runIds;
    const first = shown(await d.command('runs BigFlow'));
    expect(textOf(first)).toContain('Runs 1–20 of 30, newest first');
    expect(textOf(first)).toContain(runIds[19]);
    expect(textOf(first)).not.toContain(runIds[20]);
    expect(() => find(first, 'page_previous')).toThrow();
    const second = await click(first, 'page_next');
    expect(textOf(second)).toContain('Runs 21–30 of 30, newest first');
    expect(textOf(second)).toContain(runIds[29]);
    expect(textOf(second)).not.toContain(runIds[19]);
    expect(() => find(second, 'page_next')).toThrow();
    const back = await click(second, 'page_previous');
    expect(textOf(back)).toContain('Runs 1–20 of 30, newest first');
    expect(textOf(back)).toContain(runIds[0]);
  });

  it('pages through the flows', async () => {
    const first = shown(await d.command('runs'));
    expect(textOf(first)).toContain('Flows 1–20 of 25');
    const second = await click(first, 'page_next');
    expect(textOf(second)).toContain('Flows 21–25 of 25');
    expect(textOf(second)).toContain('*Flow23*');
  });

  it('pages through the tasks of a big foreach, problems first', async () => {
    const step = shown(await d.command(`inspect BigFlow/${info.big.foreachRun}/${info.big.foreachStep}`));
    expect(textOf(step)).toContain('Tasks 1–25 of 40; failed and running ones first');
    expect(step.blocks.filter((b: Params) => b.accessory?.action_id === 'open_task')).toHaveLength(25);
    const next = await click(step, 'page_next');
    expect(textOf(next)).toContain('Tasks 26–40 of 40');
    const task = await click(next, 'open_task');
    expect(task.blocks[0].text.text).toMatch(new RegExp(`^BigFlow/${info.big.foreachRun}/${info.big.foreachStep}/\\d+$`));
  });

  it('pages back through a long log to its first line', async () => {
    const { step, task, lines } = info.big.logTask;
    let logs = await click(shown(await d.command(`inspect BigFlow/${info.big.foreachRun}/${step}/${task}`)), 'open_stdout');
    expect(textOf(logs)).toContain(info.big.logTask.lastLine);
    let pages = 1;
    while (textOf(logs).includes('↑ Older')) {
      logs = await click(logs, 'page_next');
      pages += 1;
    }
    expect(pages).toBe(Math.ceil(lines / 80));
    expect(textOf(logs)).toContain('(the start of the log)');
  });
});

it('cuts a long log to its end, saying how much earlier text it left out', async () => {
  const { foreachRun, foreachStep, foreachTaskIds } = info.big;
  const task = foreachTaskIds[foreachTaskIds.length - 1];
  const lines = ['first of the long lines', 'x'.repeat(4000), 'last of the long lines'];
  const stamped = lines.map((message) => `[MFLOG|0|${new Date().toISOString().slice(0, 23)}000Z|runtime|${randomUUID()}]${message}\n`).join('');
  await fs.appendFile(join(info.root, 'BigFlow', foreachRun, foreachStep, task, '0.runtime_stdout.log'), stamped);
  const { text } = await ask(`logs BigFlow/${foreachRun}/${foreachStep}/${task} stdout`);
  expect(text).toMatch(/^… \(\d+ earlier characters\)$/m);
  expect(text).toContain('last of the long lines');
  expect(text).not.toContain('first of the long lines');
});
