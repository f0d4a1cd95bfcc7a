/**
 * The modal, Home and unfurl builders on synthetic data, small and huge: a run of 60 steps, a
 * step of 1,000 tasks, an artifact of 5 MB, a log of 100,000 lines, a flow of 10,000 runs, and
 * text built to break out of mrkdwn or to cost the most bytes. Every view must pass the same
 * validator the fake Slack uses (100 blocks, 250 kB, every text limit).
 */
import fc from 'fast-check';
import type { ModalView } from '@slack/types';
import type { Artifact, Page, Run, RunDetail, Step, Task } from '../../src/metaflow/model';
import type { LogLine } from '../../src/metaflow/mflog';
import { encodeNav, FIRST_PAGE, NO_FILTER, type Location, type Nav } from '../../src/slack/navigation';
import { MODAL_BLOCKS_MAX, SECTION_TEXT_MAX, VIEW_PAYLOAD_BYTES_MAX } from '../../views/limits';
import { validateBlocks, validateMessage, validateView, viewPayloadBytes } from '../../views/validate';
import { codeBodies, sanitize } from '../../views/components/code';
import type { Frame } from '../../views/components/modal';
import { matchingChoices } from '../../views/components/select';
import { homeView, type HomeInput } from '../../views/home';
import { artifactFile, artifactView, PAGE_CHARS, pageCount, PAGED_CHARS_MAX, previewLengthFor } from '../../views/modals/artifact';
import { errorView, outOfDateView } from '../../views/modals/error';
import { inspectQueryView } from '../../views/modals/inspect';
import { loadingView } from '../../views/modals/loading';
import { logFile, logsView, PAGE_LINES } from '../../views/modals/logs';
import { runView, STEPS_PAGE } from '../../views/modals/run';
import { flowsView, runsView } from '../../views/modals/runs';
import { stepView, TASKS_PAGE } from '../../views/modals/step';
import { taskView } from '../../views/modals/task';
import { unfurlCard } from '../../views/unfurl';
import { errorMessage } from '../../views/messages/error';
import { flatText } from '../fixtures/slack';

const T0 = Date.parse('2026-11-28T03:00:00Z');
const UI = 'https://ui.example.com';
/** Text that would be a mention, a link, an entity or the end of a code block if not escaped. */
const HOSTILE = '<!channel> <@U123> <https://evil.example|click> &amp; ``` *bold* `tick` \u001b[31mred\u001b[0m \u0000';

function run(over: Partial<Run> = {}): Run {
  return {
    pathspec: 'HelloFlow/42',
    flow: 'HelloFlow',
    id: '42',
    user: 'alice',
    tags: ['nightly'],
    systemTags: [],
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
  return { name, type: 'str', size: 100, sha: 'abc', preview, previewLength: Array.from(preview).length, previewTruncated: false, ...over };
}

const line = (i: number, message = `line ${i}: loss=${(1 / (i + 1)).toFixed(6)}`): LogLine => ({ timestamp: null, source: null, message });

function frame(at: Location, depth: 1 | 2 | 3 = 2): Frame {
  const nav: Nav = { at, depth, channel: 'C0GENERAL1' };
  return { metadata: encodeNav(nav) as string, pushed: depth > 1 };
}

function expectValid(view: unknown): void {
  expect(validateView(view)).toEqual([]);
  const v = view as ModalView;
  expect(v.blocks.length).toBeLessThanOrEqual(MODAL_BLOCKS_MAX);
  expect(viewPayloadBytes(view)).toBeLessThanOrEqual(VIEW_PAYLOAD_BYTES_MAX);
}

const runAt = { kind: 'run', flow: 'HelloFlow', run: '42', page: 0 } as const;
const stepAt = { kind: 'step', flow: 'HelloFlow', run: '42', step: 'train', paging: FIRST_PAGE } as const;
const taskAt = { kind: 'task', flow: 'HelloFlow', run: '42', step: 'train', task: '7', page: 0 } as const;
const runsAt = { kind: 'runs', flow: 'HelloFlow', filter: NO_FILTER, paging: FIRST_PAGE } as const;
const logsAt = (stream: 'stdout' | 'stderr' = 'stdout') => ({ kind: 'logs', flow: 'HelloFlow', run: '42', step: 'train', task: '7', stream, attempt: null, paging: FIRST_PAGE }) as const;
const artifactAt = (page: number) => ({ kind: 'artifact', flow: 'HelloFlow', run: '42', step: 'train', task: '7', name: 'blob', page }) as const;

describe('exact views for small cases', () => {
  it('loading, with where it is going', () => {
    expect(loadingView({ at: runAt, pushed: true })).toEqual({
      type: 'modal',
      callback_id: 'metaflow_screen',
      title: { type: 'plain_text', text: 'Metaflow' },
      close: { type: 'plain_text', text: 'Back' },
      private_metadata: '',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: Reading Metaflow…' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '`HelloFlow/42`' }] },
      ],
    });
  });

  it('out of date', () => {
    const view = outOfDateView();
    expectValid(view);
    expect(view.private_metadata).toBe('');
    expect(flatText(view.blocks)).toContain('This view is out of date; reopen it.');
  });

  it('an error with a way back to where the view came from', () => {
    const view = errorView({ failure: errorMessage('Flow X was not found.', 'Try `/metaflow runs`.'), at: runAt, metadata: 'm', pushed: false });
    expectValid(view);
    expect(view.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ action_id: 'nav_back' }] });
  });

  it('a page of runs with its filters, each run with an Inspect button', () => {
    const at = { ...runsAt, filter: { user: 'bob', tags: ['a', 'b'], status: 'failed' as const } };
    const view = runsView({ at, frame: frame(at, 1), page: { items: [run()], next: null, total: null }, recent: { users: ['alice', 'bob'], tags: ['a', 'z'] }, me: 'alice', uiUrl: UI });
    expectValid(view);
    const filters = view.blocks[1] as { elements: { action_id: string; initial_option: { text: { text: string } }; options: { value: string }[] }[] };
    expect(filters.elements.map((e) => e.initial_option.text.text)).toEqual(['bob', 'a + b', 'Failed']);
    expect(filters.elements[0].options.map((o) => o.value)).toEqual(['any', 'u:alice', 'u:bob']);
    expect(view.blocks[3]).toMatchObject({ accessory: { action_id: 'inspect_run', value: '{"flow":"HelloFlow","run":"42"}' } });
  });

  it('the "Inspect a run…" input', () => {
    const view = inspectQueryView(frame({ kind: 'inspect' }, 1));
    expectValid(view);
    expect(JSON.parse(JSON.stringify(view))).toMatchObject({ callback_id: 'inspect_query', submit: { text: 'Inspect' }, blocks: [{ type: 'input', block_id: 'inspect_query', element: { action_id: 'inspect_query_input' } }, { type: 'context' }] });
  });
});

describe('big and hostile data stays within Slack limits', () => {
  it('a flow of 10,000 runs, a page at a time, and 10,000 flows', () => {
    const runs = Array.from({ length: 20 }, (_, i) => run({ id: String(10_000 - i), pathspec: `HelloFlow/${10_000 - i}`, tags: Array.from({ length: 30 }, (_, j) => `tag-${j}-${'x'.repeat(100)}`) }));
    const at = { ...runsAt, paging: { page: 200, cursor: 'c', trail: ['b'] } };
    const users = Array.from({ length: 200 }, (_, i) => `user${i}${'u'.repeat(150)}`);
    const tags = Array.from({ length: 500 }, (_, i) => `tag${i}${'t'.repeat(200)}`);
    const view = runsView({ at, frame: frame(at), page: { items: runs, next: 'n', total: 10_000 }, recent: { users, tags }, me: 'someone', uiUrl: UI });
    expectValid(view);
    expect(flatText(view.blocks)).toContain('Runs 4,001–4,020 of 10,000, newest first');
    const flowsAt = { kind: 'flows', page: 499 } as const;
    const entries = Array.from({ length: 20 }, (_, i) => ({ flow: { name: `Flow${i}${'F'.repeat(120)}`, createdAt: T0 }, latest: i % 2 ? run() : null }));
    expectValid(flowsView({ at: flowsAt, frame: frame(flowsAt, 1), entries, total: 10_000, uiUrl: UI }));
  });

  it('a run of 60 steps, and of 1,000 steps a page at a time, with long parameters', () => {
    for (const count of [60, 1000]) {
      const steps = Array.from({ length: count }, (_, i) => step(`step_${i}_${'s'.repeat(100)}`, { taskCount: 1000, status: i % 7 === 0 ? 'failed' : 'successful' }));
      const parameters = Array.from({ length: 200 }, (_, i) => ({ name: `p${i}`, type: 'str', preview: 'v'.repeat(5000) + HOSTILE }));
      const detail: RunDetail = { ...run({ tags: Array.from({ length: 50 }, (_, i) => `t${i}`) }), steps, parameters, graph: null };
      for (const page of [0, Math.floor((count - 1) / STEPS_PAGE)]) {
        const at = { ...runAt, page };
        const view = runView({ at, frame: frame(at), run: detail, uiUrl: UI });
        expectValid(view);
        const picker = view.blocks.find((b) => b.type === 'actions' && (b as { elements: { action_id: string }[] }).elements[0].action_id === 'pick_step') as { elements: { options: unknown[] }[] };
        expect(picker.elements[0].options.length).toBe(Math.min(STEPS_PAGE, count - page * STEPS_PAGE));
      }
    }
  });

  it('a step of 1,000 tasks, a page at a time, failed ones first', () => {
    const tasks: Page<Task> = { items: Array.from({ length: TASKS_PAGE }, (_, i) => task(String(i), { status: i < 3 ? 'failed' : 'successful', attempt: 3, foreachStack: [HOSTILE] })), next: 'n', total: 1000 };
    const at = { ...stepAt, paging: { page: 4, cursor: 'c4', trail: [null, 'c1', 'c2', 'c3'] } };
    const view = stepView({ at, frame: frame(at, 3), run: run(), step: step('train', { taskCount: 1000 }), tasks });
    expectValid(view);
    expect(flatText(view.blocks)).toContain('Tasks 101–125 of 1,000');
    expect(view.blocks.filter((b) => (b as { accessory?: { action_id: string } }).accessory?.action_id === 'open_task')).toHaveLength(TASKS_PAGE);
  });

  it('a task with hundreds of artifacts, long previews and a long exception', () => {
    const artifacts = Array.from({ length: 300 }, (_, i) => artifact(`a${i}`, `${'x'.repeat(299)}…`, { previewLength: 50_000, previewTruncated: true, type: 'pandas.core.frame.DataFrame' + 'X'.repeat(300) }));
    const t = task('7', { status: 'failed', attempts: Array.from({ length: 100 }, (_, i) => ({ attempt: i, status: 'failed' as const, startedAt: T0, finishedAt: T0 })) });
    const exception = { type: 'builtins.ValueError', message: HOSTILE.repeat(100), stacktrace: 'Traceback\n'.repeat(10_000) };
    for (const page of [0, 14]) {
      const at = { ...taskAt, page };
      const view = taskView({ at, frame: frame(at, 3), task: t, exception, artifacts, notice: 'Posted `x` in <#C1>.' });
      expectValid(view);
      expect(view.blocks.filter((b) => (b as { accessory?: { action_id: string } }).accessory?.action_id === 'open_artifact')).toHaveLength(20);
    }
  });

  it('an artifact of 5 MB, a page at a time, every page of it', () => {
    // The repr of 5 MB of bytes is about 15 million characters; the client hands out as much as
    // the page asks for.
    const full = 15_051_430;
    for (const page of [0, 1, 19, 25]) {
      const length = previewLengthFor(page);
      const preview = `${'\\x00'.repeat(Math.ceil(length / 4)).slice(0, length - 1)}…`;
      const a = artifact('blob', preview, { type: 'bytes', size: 5 * 1024 * 1024, previewLength: full, previewTruncated: true });
      const at = artifactAt(page);
      const view = artifactView({ at, frame: frame(at, 3), artifact: a, taskPathspec: 'HelloFlow/42/train/7' });
      expectValid(view);
      const shownPage = Math.min(page, pageCount(full) - 1);
      expect(flatText(view.blocks)).toContain(`Characters ${(shownPage * PAGE_CHARS + 1).toLocaleString('en-US')}–`);
      expect(flatText(view.blocks)).toContain('Upload as file');
    }
    expect(pageCount(full)).toBe(PAGED_CHARS_MAX / PAGE_CHARS);
  });

  it('an artifact page of the most expensive characters still fits 250 kB', () => {
    for (const ch of ['&', '<', '語', '🚀', '`', '\u0007']) {
      const preview = ch.repeat(PAGE_CHARS * 2);
      const a = artifact('worst', preview, { previewLength: Array.from(preview).length });
      const at = artifactAt(1);
      expectValid(artifactView({ at, frame: frame(at), artifact: a, taskPathspec: 'HelloFlow/42/train/7' }));
    }
  });

  it('a log of 100,000 lines, and a page of the longest, most expensive lines', () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => line(i));
    const retried = task('7', { attempts: Array.from({ length: 150 }, (_, i) => ({ attempt: i, status: 'failed' as const, startedAt: T0, finishedAt: T0 })) });
    const view = logsView({ at: logsAt(), frame: frame(logsAt(), 3), task: retried, attempt: 149, lines: huge.slice(-PAGE_LINES), older: 'l1.x.1', notice: undefined });
    expectValid(view);
    expect(flatText(view.blocks)).toContain('line 99999');
    expect(flatText(view.blocks)).not.toContain(`line ${99_999 - PAGE_LINES}:`);
    for (const message of ['&'.repeat(10_000), HOSTILE.repeat(200), '語'.repeat(5000), '\u001b[1m'.repeat(3000), '`'.repeat(5000), '\ud800'.repeat(100)]) {
      const lines = Array.from({ length: PAGE_LINES }, () => line(0, message));
      expectValid(logsView({ at: logsAt('stderr'), frame: frame(logsAt('stderr'), 2), task: task('7'), attempt: 0, lines, older: null }));
    }
  });

  it('an empty log, and a log of blank lines', () => {
    expect(flatText(logsView({ at: logsAt(), frame: frame(logsAt()), task: task('7'), attempt: 0, lines: [], older: null }).blocks)).toContain('_stdout is empty._');
    expectValid(logsView({ at: logsAt(), frame: frame(logsAt()), task: task('7'), attempt: 0, lines: [line(0, ''), line(1, '  ')], older: null }));
  });

  it('App Home with many runs, and with no Metaflow user', () => {
    const many = Array.from({ length: 500 }, (_, i) => run({ id: String(i), pathspec: `Flow${'x'.repeat(100)}/${i}`, status: i % 2 ? 'failed' : 'running' }));
    const input: HomeInput = { me: { name: HOSTILE, by: 'email' }, rule: 'email', myRuns: many, watched: { flows: 300, runs: many }, uiUrl: UI };
    const view = homeView(input);
    expect(validateView(view)).toEqual([]);
    expect(flatText(view.blocks)).toContain('470 more runs not shown');
    expect(validateView(homeView({ ...input, me: null, watched: null }))).toEqual([]);
    expect(validateView(homeView({ ...input, watched: { flows: 0, runs: [] } }))).toEqual([]);
  });

  it('an unfurl card, whatever the run', () => {
    const card = unfurlCard({ run: run({ user: HOSTILE, status: 'running' }), step: step('s'.repeat(500)), task: null, uiUrl: UI });
    expect(validateMessage({ blocks: card.blocks })).toEqual([]);
    expect(validateBlocks(unfurlCard({ run: run(), step: null, task: task('1'), uiUrl: null }).blocks, 'message')).toEqual([]);
  });
});

describe('values that carry mrkdwn are shown, not obeyed', () => {
  it('in every modal', () => {
    const hostileRun = run({ user: HOSTILE, tags: [HOSTILE] });
    const views = [
      runsView({ at: runsAt, frame: frame(runsAt), page: { items: [hostileRun], next: null, total: 1 }, recent: { users: [HOSTILE], tags: [HOSTILE] }, me: HOSTILE, uiUrl: null }),
      runView({ at: runAt, frame: frame(runAt), run: { ...hostileRun, steps: [step('train')], parameters: [{ name: 'p', type: 'str', preview: HOSTILE }], graph: null }, uiUrl: null }),
      taskView({ at: taskAt, frame: frame(taskAt), task: task('7'), exception: { type: 'E', message: HOSTILE, stacktrace: null }, artifacts: [artifact('a', HOSTILE)] }),
      logsView({ at: logsAt(), frame: frame(logsAt()), task: task('7'), attempt: 0, lines: [line(0, HOSTILE)], older: null }),
      artifactView({ at: artifactAt(0), frame: frame(artifactAt(0)), artifact: artifact('blob', HOSTILE), taskPathspec: 'HelloFlow/42/train/7' }),
    ];
    for (const view of views) {
      expectValid(view);
      const text = flatText(view.blocks.filter((b) => b.type !== 'actions'));
      expect(text).not.toMatch(/<!channel>|<@U123>|<https:\/\/evil/);
    }
  });
});

describe('code blocks', () => {
  it('split any text into sections without losing or adding a character', () => {
    const unescape = (s: string): string => s.replace(/\u200b/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '&', '<', '`', '語', '🚀', '\n', ' '), maxLength: 12_000 }), (text) => {
        const bodies = codeBodies(text);
        expect(bodies.every((b) => b.length + 8 <= SECTION_TEXT_MAX)).toBe(true);
        expect(bodies.map(unescape).join('')).toBe(text);
        expect(bodies.every((b) => !b.includes('``'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('drop terminal colours and replace other control characters', () => {
    expect(sanitize('\u001b[31mred\u001b[0m\tok\u0000\ud800')).toBe('red\tok\ufffd\ufffd');
  });
});

describe('files and options', () => {
  it('names a log file after the task, stream and attempt', () => {
    expect(logFile({ task: task('7'), stream: 'stderr', attempt: 1, text: 'x\n', truncated: true })).toEqual({
      filename: 'HelloFlow-42-train-7-stderr-attempt2.log',
      title: 'stderr of HelloFlow/42/train/7, attempt 2',
      content: 'x\n',
      comment: 'The stderr of `HelloFlow/42/train/7`, attempt 2. It was cut: the log is longer than the bot reads at once.',
    });
    expect(artifactFile(artifact('big', 'abc…', { previewLength: 10, previewTruncated: true }), 'HelloFlow/42/train/7').comment).toContain('cut after 3 of 10 characters');
  });

  it('offers at most 100 flows as options, those that start with what was typed first', () => {
    const names = Array.from({ length: 500 }, (_, i) => `Flow${i}`);
    expect(matchingChoices(names, '')).toHaveLength(100);
    expect(matchingChoices(['MyFlow', 'FlowA', 'B'], 'flow').map((c) => c.value)).toEqual(['FlowA', 'MyFlow']);
    expect(matchingChoices(['F'.repeat(151)], '')).toEqual([]);
  });
});
