/**
 * The message builders: exact Block Kit for small cases, and for big ones (a run of 60 steps,
 * a step of 1,000 tasks, a 100,000-line log, a page of 10,000 runs, hostile text) a message
 * Slack accepts as it will be sent: with the "Share in channel" footer, and as a shared copy.
 */
import type { Artifact, Parameter, Run, RunDetail, Step, Task, TaskException } from '../../src/metaflow/model';
import type { LogLine } from '../../src/metaflow/mflog';
import { MESSAGE_BLOCKS_MAX } from '../../views/limits';
import { validateMessage } from '../../views/validate';
import { shareFooter, sharedBy } from '../../views/components/share';
import type { SlackMessage } from '../../views/components/message';
import { chooseRunMessage } from '../../views/messages/choose-run';
import { dataMessage } from '../../views/messages/data';
import { errorMessage } from '../../views/messages/error';
import { exportFile } from '../../views/messages/export';
import { helpMessage, needRunMessage, unknownCommandMessage } from '../../views/messages/help';
import { logsMessage } from '../../views/messages/logs';
import { paramsMessage } from '../../views/messages/params';
import { runOverviewMessage } from '../../views/messages/run-overview';
import { flowsListMessage, runsListMessage } from '../../views/messages/runs';
import { statusMessage } from '../../views/messages/status';
import { stepMessage, taskMessage } from '../../views/messages/step';
import { nowUsingMessage } from '../../views/messages/use';
import { versionMessage } from '../../views/messages/version';
import { HELP, type HelpTopic } from '../../views/help';
import { flatText } from '../fixtures/slack';

const T0 = Date.parse('2026-11-28T03:00:00Z');
const UI = 'https://ui.example.com/';

function run(over: Partial<Run> = {}): Run {
  return {
    pathspec: 'HelloFlow/42',
    flow: 'HelloFlow',
    id: '42',
    user: 'alice',
    tags: ['nightly'],
    systemTags: ['user:alice'],
    createdAt: T0,
    finishedAt: T0 + 65_000,
    durationMs: 65_000,
    status: 'successful',
    lastSeenAt: T0 + 65_000,
    ...over,
  };
}

function step(name: string, over: Partial<Step> = {}): Step {
  return { name, type: 'linear', status: 'successful', taskCount: 1, startedAt: T0, finishedAt: T0 + 1000, durationMs: 1000, ...over };
}

function task(id: string, over: Partial<Task> = {}): Task {
  return {
    pathspec: `HelloFlow/42/train/${id}`,
    flow: 'HelloFlow',
    runId: '42',
    step: 'train',
    id,
    status: 'successful',
    attempt: 0,
    attempts: [{ attempt: 0, status: 'successful', startedAt: T0, finishedAt: T0 + 500 }],
    startedAt: T0,
    finishedAt: T0 + 500,
    foreachIndex: Number(id),
    foreachStack: [`items=${id}`],
    ...over,
  };
}

function artifact(name: string, preview: string, over: Partial<Artifact> = {}): Artifact {
  return { name, type: 'str', size: 100, sha: 'abc', preview, previewLength: preview.length, previewTruncated: false, ...over };
}

function detail(steps: Step[], parameters: Parameter[] = [], over: Partial<Run> = {}): RunDetail {
  return { ...run(over), steps, parameters, graph: null };
}

const line = (i: number, message = `line ${i}: loss=${(1 / (i + 1)).toFixed(6)}`): LogLine => ({ timestamp: null, source: null, message });

/** The message as the bot sends it ephemerally, and as a shared copy: both must be accepted. */
function expectSendable(message: SlackMessage): void {
  expect(message.text.length).toBeGreaterThan(0);
  expect(validateMessage({ text: message.text, blocks: [...message.blocks, ...shareFooter({ command: 'params HelloFlow/42' }, 'C0GENERAL1')] })).toEqual([]);
  expect(validateMessage({ text: message.text, blocks: [...message.blocks, sharedBy('U0ALICE001')] })).toEqual([]);
}

describe('exact Block Kit for small cases', () => {
  it('status of a successful run', () => {
    expect(statusMessage({ run: run(), steps: [], active: [], failure: null, uiUrl: null, prefix: '/metaflow' })).toEqual({
      text: 'HelloFlow/42: successful',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: ':white_check_mark: *HelloFlow/42* finished successfully <!date^1795834865^{date_short_pretty} at {time}|2026-11-28 03:01 UTC> after 1m 5s.',
          },
        },
      ],
    });
  });

  it('parameters, escaped, with a link to the run in the UI', () => {
    const parameters = [
      { name: 'alpha', type: 'float', preview: '0.5' },
      { name: 'query', type: 'str', preview: "'a < b & c'" },
    ];
    expect(paramsMessage({ run: run(), parameters, uiUrl: UI, prefix: '/metaflow' })).toEqual({
      text: '2 parameters of HelloFlow/42',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*Parameters* of <https://ui.example.com/HelloFlow/42|HelloFlow/42>' } },
        { type: 'section', text: { type: 'mrkdwn', text: "• `alpha` _float_  `0.5`\n• `query` _str_  `'a &lt; b &amp; c'`" } },
      ],
    });
  });

  it('a page of runs', () => {
    expect(runsListMessage({ query: 'HelloFlow', page: { items: [run()], next: null, total: 1 }, offset: 0, uiUrl: null, prefix: '/metaflow' })).toEqual({
      text: '1 run of HelloFlow',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Runs of HelloFlow' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '1 run, newest first' }] },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: ':white_check_mark: *42*  ·  alice  ·  <!date^1795834800^{date_short_pretty} at {time}|2026-11-28 03:00 UTC>  ·  1m 5s  ·  `nightly`',
          },
          accessory: {
            type: 'button',
            text: { type: 'plain_text', text: 'Inspect' },
            action_id: 'pick_run',
            value: '{"command":"inspect","query":"HelloFlow/42"}',
          },
        },
      ],
    });
  });

  it('the version, without credentials from the backend line', () => {
    const message = versionMessage({ version: '0.1.0', backend: 'metadata: service (https://bot:s3cret@mf.example.com/api); datastore: s3 (s3://bucket/metaflow)' });
    expect(message).toEqual({
      text: 'metaflowbot 0.1.0; metadata: service (https://mf.example.com/api); datastore: s3 (s3://bucket/metaflow)',
      blocks: [
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*metaflowbot*\n0.1.0' },
            { type: 'mrkdwn', text: '*Metaflow*\nmetadata: service (https://mf.example.com/api); datastore: s3 (s3://bucket/metaflow)' },
          ],
        },
      ],
    });
  });

  it('a failure', () => {
    expect(errorMessage('Run HelloFlow/9 was not found.', 'Try `/metaflow runs HelloFlow`.')).toEqual({
      text: 'Run HelloFlow/9 was not found.',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':warning: Run HelloFlow/9 was not found.\nTry `/metaflow runs HelloFlow`.' } }],
    });
  });
});

describe('help', () => {
  it.each(Object.keys(HELP) as HelpTopic[])('topic %s is sendable and shows the prefix the user types', (topic) => {
    for (const prefix of ['/metaflow', '@metaflow', '']) {
      const message = helpMessage(topic, prefix);
      expectSendable(message);
      if (topic !== 'query' && prefix !== '') expect(flatText(message.blocks)).toContain(`${prefix} `);
    }
  });

  it('says how to choose a run, for every command that needs one', () => {
    for (const topic of ['status', 'params', 'export', 'data', 'logs'] as const) {
      const text = flatText(needRunMessage(topic, '/metaflow').blocks);
      expect(text).toContain('`/metaflow use HelloFlow/42`');
      expect(text).toContain(`*${HELP[topic].title}*`);
    }
  });

  it('suggests the closest command for text it does not understand, quoted back escaped', () => {
    const message = unknownCommandMessage('lgos <!here> & more', 'logs', '/metaflow');
    expectSendable(message);
    expect(flatText(message.blocks)).toContain("Sorry, I don't understand “lgos &lt;!here&gt; &amp; more”. Did you mean `/metaflow logs`?");
  });
});

describe('big cases stay within Slack’s limits', () => {
  it('a run with 60 steps and 50 long parameters', () => {
    const steps = Array.from({ length: 60 }, (_, i) => step(`step_number_${i}_with_a_rather_long_descriptive_name`, { taskCount: i * 17 }));
    const parameters = Array.from({ length: 50 }, (_, i) => ({ name: `param_${i}`, type: 'dict', preview: `{'k': '${'v'.repeat(400)}'}` }));
    const message = runOverviewMessage({ run: detail(steps, parameters), uiUrl: UI, prefix: '/metaflow', current: true });
    expectSendable(message);
    const text = flatText(message.blocks);
    expect(text).toContain('step_number_0_with');
    expect(text).toContain('more parameter');
  });

  it('a run with 500 steps lists what fits and says how many more', () => {
    const steps = Array.from({ length: 500 }, (_, i) => step(`s${i}`));
    const message = runOverviewMessage({ run: detail(steps), uiUrl: null, prefix: '', current: false });
    expectSendable(message);
    expect(flatText(message.blocks)).toMatch(/… \d+ more steps/);
  });

  it('a step with 1,000 tasks', () => {
    const items = Array.from({ length: 1000 }, (_, i) => task(String(i), { status: i % 7 === 0 ? 'failed' : 'successful', attempt: i % 3 }));
    const message = stepMessage({ run: run(), step: step('train', { taskCount: 1000 }), tasks: { items, next: null, total: 1000 }, uiUrl: UI, prefix: '/metaflow' });
    expectSendable(message);
    expect(flatText(message.blocks)).toMatch(/… [\d,]+ more tasks/);
    const page = stepMessage({ run: run(), step: step('train', { taskCount: 1000 }), tasks: { items: items.slice(0, 100), next: 'c', total: 1000 }, uiUrl: UI, prefix: '/metaflow' });
    expectSendable(page);
    expect(flatText(page.blocks)).toContain('900 more tasks not listed');
  });

  it('artifacts of 1,000 tasks with 30 artifacts each, and one big artifact per task', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      task: task(String(i)),
      artifacts: Array.from({ length: 30 }, (_, j) => artifact(`artifact_${j}`, `'${'x'.repeat(290)}'`, { previewTruncated: true, previewLength: 10_000 })),
    }));
    const all = dataMessage({ run: run(), step: 'train', tasks: many, totalTasks: 1000, name: null, prefix: '/metaflow' });
    expectSendable(all);
    expect(all.blocks.length).toBeLessThan(MESSAGE_BLOCKS_MAX);
    const named = dataMessage({
      run: run(),
      step: 'train',
      tasks: many.map((t) => ({ task: t.task, artifacts: [artifact('model', 'w'.repeat(2500))] })),
      totalTasks: 1000,
      name: 'model',
      prefix: '/metaflow',
    });
    expectSendable(named);
  });

  it('a 100,000-line log tail, keeping the end', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => line(i));
    const tasks = [0, 1, 2].map((i) => ({
      task: task(String(i)),
      attempt: 1,
      streams: [
        { stream: 'stdout' as const, lines, earlier: true },
        { stream: 'stderr' as const, lines, earlier: false },
      ],
    }));
    const message = logsMessage({ run: run(), step: 'train', tasks, totalTasks: 1000, prefix: '/metaflow' });
    expectSendable(message);
    const text = flatText(message.blocks);
    expect(text).toContain('line 99999: loss=');
    expect(text).not.toContain('line 0: loss=');
    expect(text).toMatch(/… \([\d]+ earlier characters\)/);
    expect(text).toContain('997 more tasks not shown');
  });

  it('log lines that try to break out of the code block or mention everyone', () => {
    const hostile = ['```', 'done ``` <!channel> <https://evil.example|click> & more', '`'.repeat(5000)].map((m, i) => line(i, m));
    const message = logsMessage({ run: run(), step: 'train', tasks: [{ task: task('1'), attempt: 0, streams: [{ stream: 'stdout', lines: hostile, earlier: false }] }], totalTasks: 1, prefix: '' });
    expectSendable(message);
    const text = flatText(message.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
  });

  it('a page of 10,000 runs, and a page of 20 of 10,000 with More', () => {
    const runs = Array.from({ length: 10_000 }, (_, i) => run({ id: String(10_000 - i), pathspec: `HelloFlow/${10_000 - i}`, tags: ['a', 'b'] }));
    const all = runsListMessage({ query: 'HelloFlow', page: { items: runs, next: null, total: 10_000 }, offset: 0, uiUrl: UI, prefix: '/metaflow' });
    expectSendable(all);
    expect(flatText(all.blocks)).toMatch(/[\d,]+ more runs on this page did not fit/);
    const page = runsListMessage({ query: "alice's HelloFlow tagged a", page: { items: runs.slice(20, 40), next: 'eyJzIjpudWxsLCJvIjo0MH0', total: 10_000 }, offset: 20, uiUrl: UI, prefix: '/metaflow' });
    expectSendable(page);
    expect(flatText(page.blocks)).toContain('Runs 21–40 of 10,000, newest first');
    expect(page.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ action_id: 'runs_more', value: '{"query":"alice\'s HelloFlow tagged a","cursor":"eyJzIjpudWxsLCJvIjo0MH0","offset":40}' }] });
  });

  it('a page of 500 flows and a choice among 10,000 runs', () => {
    const entries = Array.from({ length: 500 }, (_, i) => ({ flow: { name: `Flow${i}`, createdAt: T0 }, latest: i % 2 ? run({ flow: `Flow${i}` }) : null }));
    expectSendable(flowsListMessage({ entries, offset: 0, total: 5000, uiUrl: UI, prefix: '/metaflow' }));
    const runs = Array.from({ length: 10_000 }, (_, i) => run({ id: String(i), pathspec: `HelloFlow/${i}` }));
    expectSendable(chooseRunMessage({ command: 'status', query: 'HelloFlow', page: { items: runs, next: 'x', total: null }, uiUrl: UI, prefix: '/metaflow' }));
  });

  it('a running run with 60 active steps of 1,000 tasks, and a failure with a 100,000-character trace', () => {
    const steps = Array.from({ length: 60 }, (_, i) => step(`branch_${i}`, { status: 'running', taskCount: 1000 }));
    const active = steps.map((s) => ({ step: s, tasks: Array.from({ length: 50 }, (_, i) => task(String(i), { status: 'running' })) }));
    const running = run({ status: 'running', finishedAt: null });
    expectSendable(statusMessage({ run: running, steps, active, failure: null, uiUrl: UI, prefix: '/metaflow' }));

    const exception: TaskException = { type: 'builtins.ValueError', message: 'boom <!here>', stacktrace: `Traceback\n${'  File "x.py", line 1\n'.repeat(5000)}ValueError: boom <!here>` };
    const failed = run({ status: 'failed' });
    const message = statusMessage({ run: failed, steps, active: [], failure: { step: 'train', task: '7', exception }, uiUrl: UI, prefix: '/metaflow' });
    expectSendable(message);
    const text = flatText(message.blocks);
    expect(text).toContain('in step `train` (task `7`) with `ValueError`');
    expect(text).toContain('ValueError: boom &lt;!here&gt;');
    const lost = statusMessage({ run: run({ status: 'lost', finishedAt: null }), steps, active: [], failure: null, uiUrl: null, prefix: '' });
    expectSendable(lost);
    expect(flatText(lost.blocks)).toContain('and 40 more');
  });

  it('a task with 100 attempts and a long exception', () => {
    const attempts = Array.from({ length: 100 }, (_, i) => ({ attempt: i, status: 'failed' as const, startedAt: T0, finishedAt: T0 + 1 }));
    const exception = { type: 'RuntimeError', message: 'x'.repeat(50_000), stacktrace: null };
    expectSendable(taskMessage({ run: run(), task: task('3', { attempts, status: 'failed' }), exception, uiUrl: UI, prefix: '/metaflow' }));
  });

  it('values that carry mrkdwn, mentions and links are shown, not obeyed', () => {
    const hostile = run({ user: '<!channel>', tags: ['a&b', '`x`', 'y'.repeat(500), '<@U123>', 'e', 'f'] });
    const messages = [
      runsListMessage({ query: 'HelloFlow', page: { items: [hostile], next: null, total: 1 }, offset: 0, uiUrl: UI, prefix: '/metaflow' }),
      runOverviewMessage({ run: { ...hostile, steps: [step('start')], parameters: [{ name: 'p', type: 'str', preview: '<https://evil|x>' }], graph: null }, uiUrl: UI, prefix: '/metaflow', current: false }),
      nowUsingMessage(hostile, UI, '@metaflow'),
      paramsMessage({ run: hostile, parameters: [{ name: 'p', type: 'str', preview: "'<!everyone>'" }], uiUrl: null, prefix: '' }),
    ];
    for (const message of messages) {
      expectSendable(message);
      const text = flatText(message.blocks);
      expect(text).not.toMatch(/<!channel>|<!everyone>|<@U123>|<https:\/\/evil/);
    }
  });
});

describe('export', () => {
  it('writes the run, steps, tasks, parameters and tags as JSON', () => {
    const steps = [step('start'), step('train', { taskCount: 1000 })];
    const tasks = { start: [task('1', { step: 'start' })], train: Array.from({ length: 1000 }, (_, i) => task(String(i + 2))) };
    const file = exportFile({ run: detail(steps, [{ name: 'alpha', type: 'float', preview: '0.5' }]), tasks, truncatedSteps: ['train'], version: '0.1.0', exportedAt: T0 });
    expect(file.filename).toBe('HelloFlow-42.json');
    const doc = JSON.parse(file.content);
    expect(doc.run).toEqual({
      pathspec: 'HelloFlow/42',
      flow: 'HelloFlow',
      id: '42',
      user: 'alice',
      status: 'successful',
      tags: ['nightly'],
      system_tags: ['user:alice'],
      created_at: '2026-11-28T03:00:00.000Z',
      finished_at: '2026-11-28T03:01:05.000Z',
      duration_ms: 65_000,
    });
    expect(doc.parameters).toEqual({ alpha: { type: 'float', repr: '0.5' } });
    expect(doc.steps[1].tasks).toHaveLength(1000);
    expect(doc.steps[1].tasks_complete).toBe(false);
    expect(doc.steps[0].tasks_complete).toBe(true);
    expect(file.comment).toContain('tasks cut short in 1 step');
  });
});
