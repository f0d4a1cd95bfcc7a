/**
 * One behavioural contract for the Metaflow client, run unchanged against every backend
 * combination over the same runs (recorded from a real metadata service, their S3 objects, and
 * the `.metaflow` folder local Metaflow would have written for them). Then the backends are
 * held against each other: `metaflowbot show --json` must answer every flow, run, step and
 * task identically, but where a backend cannot know something, which is asserted as such.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { show, type ShowOptions } from '../../src/cli/show';
import type { MetaflowClient, TaskRef } from '../../src/metaflow/client';
import { NotFoundError } from '../../src/metaflow/errors';
import { logText } from '../../src/metaflow/mflog';
import type { LogStream } from '../../src/metaflow/model';
import { parseRunQuery } from '../../src/metaflow/runspec';
import { BACKEND_NAMES, startBackends, type BackendName, type Backends } from '../support/backends';
import { RECORDINGS } from '../support/fake-metadata-service';

const FLOWS = ['FailFlow', 'ForeachFlow', 'HelloFlow', 'LogFlow', 'ParamFlow', 'SlowFlow'];
const SHOW: ShowOptions = { json: true, logs: true, limit: 20, logLines: 20 };

let backends: Backends;

beforeAll(async () => {
  backends = await startBackends();
}, 60_000);

afterAll(async () => {
  await backends?.close();
});

async function notFoundMessage(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NotFoundError);
  return (err as NotFoundError).message;
}

/** Every line of a log by walking back from the tail a page at a time. */
async function pagedBack(client: MetaflowClient, ref: TaskRef, stream: LogStream, limit: number) {
  let page = await client.readLog(ref, { stream, limit });
  const pages = [page.lines];
  while (page.older) {
    page = await client.readLog(ref, { stream, limit, before: page.older });
    pages.unshift(page.lines);
  }
  return pages.flat();
}

describe.each(BACKEND_NAMES)('the client over %s', (name) => {
  let client: MetaflowClient;

  beforeAll(() => {
    client = backends.client(name);
  });

  it('lists the flows', async () => {
    expect((await client.listFlows()).map((f) => f.name)).toEqual(FLOWS);
  });

  describe('runs', () => {
    it('lists HelloFlow runs newest first with their owner, tags and status', async () => {
      const page = await client.listRuns('HelloFlow');
      expect(page.items.map((r) => [r.id, r.user, r.tags, r.status])).toEqual([
        ['9', 'botlab', ['ws-demo'], 'successful'],
        ['8', 'botlab', [], 'successful'],
        ['2', 'botlab', [], 'successful'],
        ['1', 'botlab', ['team:bots'], 'successful'],
      ]);
      expect(page.next).toBeNull();
      for (const run of page.items) expect(run.systemTags).toContain('user:botlab');
    });

    it('reads a run with its creation and finish times', async () => {
      const run = await client.getRun('HelloFlow', '1');
      expect(run).toMatchObject({ pathspec: 'HelloFlow/1', createdAt: 1795839377489, status: 'successful' });
      // Metaflow's `Run.finished_at`: when the end task's `_task_ok` artifact was recorded.
      expect(run.finishedAt).toBe(1795839384250);
      expect(run.durationMs).toBe(run.finishedAt! - run.createdAt);
    });

    it('counts the runs of a flow only where the backend can without listing them', async () => {
      // The service's paged run list (2.5.1) says whether a next page exists, never how many runs match.
      expect((await client.listRuns('HelloFlow')).total).toBe(name === 'local' ? 4 : null);
    });

    it('calls both FailFlow runs failed, the one the service still shows as running too', async () => {
      const page = await client.listRuns('FailFlow');
      expect(page.items.map((r) => [r.id, r.status])).toEqual([
        ['10', 'failed'],
        ['7', 'failed'],
      ]);
      // When boom's last attempt was done.
      expect(page.items.map((r) => r.finishedAt)).toEqual([1795839842234, 1795839433860]);
    });

    it('filters by user, tags and status', async () => {
      const ids = async (flow: string, opts: Parameters<MetaflowClient['listRuns']>[1]) => (await client.listRuns(flow, opts)).items.map((r) => r.id);
      expect(await ids('HelloFlow', { user: 'botlab' })).toEqual(['9', '8', '2', '1']);
      expect(await ids('HelloFlow', { user: 'alice' })).toEqual([]);
      expect(await ids('HelloFlow', { tags: ['team:bots'] })).toEqual(['1']);
      expect(await ids('HelloFlow', { tags: ['ws-demo', 'user:botlab'] })).toEqual(['9']);
      expect(await ids('HelloFlow', { tags: ['team:bots', 'ws-demo'] })).toEqual([]);
      expect(await ids('FailFlow', { status: ['failed'] })).toEqual(['10', '7']);
      expect(await ids('FailFlow', { status: ['running', 'lost', 'successful'] })).toEqual([]);
      expect(await ids('SlowFlow', { status: ['successful'] })).toEqual(['11', '6']);
    });

    it('pages runs two at a time with a cursor', async () => {
      const first = await client.listRuns('HelloFlow', { limit: 2 });
      expect(first.items.map((r) => r.id)).toEqual(['9', '8']);
      expect(first.next).not.toBeNull();
      const second = await client.listRuns('HelloFlow', { limit: 2, cursor: first.next });
      expect(second.items.map((r) => r.id)).toEqual(['2', '1']);
      expect(second.next).toBeNull();
    });

    it('pages a filtered list the same way', async () => {
      const first = await client.listRuns('HelloFlow', { user: 'botlab', limit: 2 });
      const second = await client.listRuns('HelloFlow', { user: 'botlab', limit: 2, cursor: first.next });
      expect([first.items, second.items].map((items) => items.map((r) => r.id))).toEqual([
        ['9', '8'],
        ['2', '1'],
      ]);
      expect(second.next).toBeNull();
    });

    it('resolves "latest run of" queries to the newest matching run', async () => {
      const latest = await client.resolve(parseRunQuery('latest run of HelloFlow'));
      expect(latest.kind === 'run' && latest.run.id).toBe('9');
      const tagged = await client.resolve(parseRunQuery("botlab's latest run of HelloFlow tagged team:bots"));
      expect(tagged.kind === 'run' && tagged.run.id).toBe('1');
      expect((await client.latestRun('FailFlow')).id).toBe('10');
    });
  });

  describe('steps and tasks', () => {
    it('gives a run its steps in DAG order with their types, task counts and statuses', async () => {
      const shape = async (flow: string, run: string) => (await client.listSteps(flow, run)).map((s) => [s.name, s.type, s.taskCount, s.status]);
      expect(await shape('HelloFlow', '1')).toEqual([
        ['start', 'start', 1, 'successful'],
        ['hello', 'linear', 1, 'successful'],
        ['end', 'end', 1, 'successful'],
      ]);
      expect(await shape('ForeachFlow', '4')).toEqual([
        ['start', 'split-foreach', 1, 'successful'],
        ['train', 'linear', 3, 'successful'],
        ['join', 'join', 1, 'successful'],
        ['end', 'end', 1, 'successful'],
      ]);
      expect(await shape('FailFlow', '7')).toEqual([
        ['start', 'start', 1, 'successful'],
        ['boom', 'linear', 1, 'failed'],
      ]);
    });

    it('reads the parameters of ParamFlow', async () => {
      expect(await client.getParameters('ParamFlow', '3')).toEqual([
        { name: 'alpha', type: 'float', preview: '2.5' },
        { name: 'who', type: 'str', preview: "'alice'" },
      ]);
      expect((await client.getRunDetail('HelloFlow', '1')).parameters).toEqual([]);
    });

    it('gives each foreach task its index and stack', async () => {
      const page = await client.listTasks('ForeachFlow', '4', 'train');
      expect(page.total).toBe(3);
      expect(page.items.map((t) => [t.id, t.status, t.foreachIndex, t.foreachStack])).toEqual([
        ['14', 'successful', 0, ['items=a']],
        ['15', 'successful', 1, ['items=b']],
        ['16', 'successful', 2, ['items=c']],
      ]);
      const join = await client.getTask('ForeachFlow', '4', 'join', '17');
      expect([join.foreachIndex, join.foreachStack]).toEqual([null, []]);
    });

    it('pages a step\'s tasks', async () => {
      const first = await client.listTasks('ForeachFlow', '4', 'train', { limit: 2 });
      const second = await client.listTasks('ForeachFlow', '4', 'train', { limit: 2, cursor: first.next });
      expect([first.items.map((t) => t.id), second.items.map((t) => t.id), second.next]).toEqual([['14', '15'], ['16'], null]);
    });

    it.each([
      ['7', '27', '26'],
      ['10', '41', '38'],
    ])('shows FailFlow/%s boom with two failed attempts and the ValueError of each', async (run, id, start) => {
      const task = await client.getTask('FailFlow', run, 'boom', id);
      expect(task.status).toBe('failed');
      expect(task.attempt).toBe(1);
      expect(task.attempts.map((a) => [a.attempt, a.status])).toEqual([
        [0, 'failed'],
        [1, 'failed'],
      ]);
      const ref = { flow: 'FailFlow', run, step: 'boom', task: id };
      for (const attempt of [undefined, 0, 1]) {
        const exception = await client.taskException(ref, attempt);
        expect(exception).toMatchObject({ type: 'builtins.ValueError', message: 'deliberate failure for the fixture' });
        expect(exception?.stacktrace).toContain('raise ValueError("deliberate failure for the fixture")');
      }
      expect(await client.taskException({ flow: 'FailFlow', run, step: 'start', task: start })).toBeNull();
    });
  });

  describe('artifacts', () => {
    const hello = { flow: 'HelloFlow', run: '1', step: 'hello', task: '3' };

    it('lists a task\'s artifacts with type, size and preview, hiding the internal ones', async () => {
      const artifacts = await client.listArtifacts(hello);
      expect(artifacts.map((a) => [a.name, a.type, a.size, a.preview])).toEqual([
        ['greeting', 'str', 20, "'hello'"],
        ['message', 'str', 26, "'hello world'"],
        ['name', 'str', 24, "'HelloFlow'"],
        ['numbers', 'list', 22, '[1, 2, 3]'],
      ]);
    });

    it('lists the internal artifacts on request and reads one by name', async () => {
      const all = await client.listArtifacts(hello, { includeInternal: true });
      expect(all.find((a) => a.name === '_task_ok')).toMatchObject({ type: 'bool', preview: 'True' });
      expect(all.filter((a) => a.name.startsWith('_')).map((a) => a.name)).toEqual([
        '_configs_processed',
        '_current_step',
        '_exception',
        '_foreach_num_splits',
        '_foreach_stack',
        '_foreach_var',
        '_graph_info',
        '_iteration_stack',
        '_success',
        '_task_ok',
        '_transition',
      ]);
      expect(await client.getArtifact(hello, 'numbers')).toEqual(all.find((a) => a.name === 'numbers'));
    });

    it('shows each attempt\'s own artifacts', async () => {
      const boom = { flow: 'FailFlow', run: '7', step: 'boom', task: '27' };
      for (const attempt of [0, 1]) {
        const artifacts = await client.listArtifacts(boom, { attempt });
        expect(artifacts.map((a) => [a.name, a.preview])).toEqual([
          ['before', "'set before failing'"],
          ['name', "'FailFlow'"],
        ]);
      }
    });
  });

  describe('logs', () => {
    const start = { flow: 'LogFlow', run: '5', step: 'start', task: '20' };

    it('reads a whole log as Metaflow does', async () => {
      const stdout = await client.readFullLog(start, { stream: 'stdout' });
      expect(stdout.text).toBe(Array.from({ length: 50 }, (_, i) => `stdout line ${i}\n`).join(''));
      const stderr = await client.readFullLog(start, { stream: 'stderr' });
      expect(stderr.text).toBe(['stderr line 0', 'stderr line 10', 'stderr line 20', 'stderr line 30', 'stderr line 40', ''].join('\n'));
      expect((await client.readFullLog({ ...start, step: 'end', task: '21' }, { stream: 'stdout' })).text).toBe('unicode: café ✓\n');
    });

    it('tails a log, and paging back from the tail gives the whole log', async () => {
      const tail = await client.readLog(start, { stream: 'stdout', limit: 7 });
      expect(tail.lines.map((l) => l.message)).toEqual(Array.from({ length: 7 }, (_, i) => `stdout line ${43 + i}`));
      expect(tail.lines[6].timestamp).toBe('2026-11-28T04:16:58.983169Z');
      for (const stream of ['stdout', 'stderr'] as const) {
        const whole = await client.readFullLog(start, { stream });
        expect(logText(await pagedBack(client, start, stream, 7))).toBe(whole.text);
        expect(logText(await pagedBack(client, start, stream, 1))).toBe(whole.text);
      }
    });

    it('reads the log of the attempt asked for', async () => {
      const boom = { flow: 'FailFlow', run: '7', step: 'boom', task: '27' };
      const [first, second] = await Promise.all([0, 1].map((attempt) => client.readLog(boom, { stream: 'stderr', attempt, limit: 1 })));
      expect([first, second].map((page) => [page.attempt, ...page.lines.map((l) => [l.timestamp, l.message])])).toEqual([
        [0, ['2026-11-28T04:17:12.947064Z', 'Task failed.']],
        [1, ['2026-11-28T04:17:14.130142Z', 'Task failed.']],
      ]);
    });
  });

  describe('what does not exist', () => {
    it('names the unknown flow, run, step, task or artifact, with a suggestion for a near miss', async () => {
      expect(await notFoundMessage(client.getFlow('NoSuchFlow'))).toBe('Flow NoSuchFlow was not found.');
      expect(await notFoundMessage(client.listRuns('helloflow'))).toBe('Flow helloflow was not found. Did you mean HelloFlow?');
      expect(await notFoundMessage(client.getRun('HelloFlow', '999'))).toBe('HelloFlow/999 was not found.');
      expect(await notFoundMessage(client.getRun('HelloFlow', '3'))).toBe('HelloFlow/3 was not found.');
      expect(await notFoundMessage(client.getStep('HelloFlow', '1', 'helo'))).toBe('HelloFlow/1/helo was not found. Did you mean hello?');
      expect(await notFoundMessage(client.getTask('HelloFlow', '1', 'start', '999'))).toBe('HelloFlow/1/start/999 was not found.');
      expect(await notFoundMessage(client.getArtifact({ flow: 'HelloFlow', run: '1', step: 'hello', task: '3' }, 'greting'))).toBe(
        'HelloFlow/1/hello/3 artifact greting was not found. Did you mean greeting?',
      );
    });

    it('answers queries for what does not exist in the words of the query', async () => {
      expect(await notFoundMessage(client.resolve(parseRunQuery('HelloFlow/999')))).toBe('Run HelloFlow/999 was not found.');
      expect(await notFoundMessage(client.resolve(parseRunQuery('HelloFlow/1/start/3')))).toBe('Task HelloFlow/1/start/3 was not found.');
      expect(await notFoundMessage(client.resolve(parseRunQuery("alice's latest run of HelloFlow")))).toBe(
        'A run matching "alice\'s latest run of HelloFlow" was not found.',
      );
    });

    it('does not list the _parameters pseudo-step as a step of the flow', async () => {
      expect(await notFoundMessage(client.getStep('HelloFlow', '1', '_parameters'))).toBe('HelloFlow/1/_parameters was not found.');
    });
  });
});

type Answers = Record<string, unknown>;

function recordedCalls(): Record<string, { status: number }> {
  return (JSON.parse(readFileSync(join(RECORDINGS, 'index.json'), 'utf8')) as { requests: Record<string, { status: number }> }).requests;
}

/** `show` as the CLI prints it, parsed; a failure as the sentence a user would read. */
async function answer(client: MetaflowClient, query: string): Promise<unknown> {
  try {
    return JSON.parse(await show(client, query, SHOW)) as unknown;
  } catch (err) {
    return { error: (err as Error).name, message: (err as Error).message };
  }
}

/** Queries that name nothing, or name it the way a user would ask for it. */
const ODD_QUERIES = [
  'NoSuchFlow',
  'helloflow',
  'HelloFlow/999',
  'HelloFlow/1/nope',
  'HelloFlow/1/start/999',
  'HelloFlow/1/_parameters',
  'latest run of HelloFlow',
  "botlab's latest run of HelloFlow tagged team:bots",
  "alice's latest run of HelloFlow",
  'HelloFlow tagged ws-demo',
];

interface Everything {
  /** `show --json` of every query. */
  shown: Answers;
  /** Per task attempt (`<pathspec>#<attempt>`): every artifact, internal ones too, the exception and both whole logs. */
  attempts: Answers;
}

/** Every flow, run, step and task the backend lists, and each run's `_parameters` task. */
async function readEverything(client: MetaflowClient): Promise<Everything> {
  const everything: Everything = { shown: {}, attempts: {} };
  const ask = async (query: string) => {
    everything.shown[query] = await answer(client, query);
  };
  for (const flow of await client.listFlows()) {
    await ask(flow.name);
    for (const run of (await client.listRuns(flow.name, { limit: 100 })).items) {
      await ask(run.pathspec);
      const steps = (await client.listSteps(flow.name, run.id)).map((s) => s.name);
      for (const step of [...steps, '_parameters']) {
        if (step !== '_parameters') await ask(`${run.pathspec}/${step}`);
        for (const task of (await client.listTasks(flow.name, run.id, step, { limit: 100 })).items) {
          await ask(task.pathspec);
          const ref = { flow: flow.name, run: run.id, step, task: task.id };
          for (const { attempt } of task.attempts) {
            everything.attempts[`${task.pathspec}#${attempt}`] = {
              artifacts: await client.listArtifacts(ref, { attempt, includeInternal: true }),
              exception: await client.taskException(ref, attempt),
              stdout: (await client.readFullLog(ref, { stream: 'stdout', attempt })).text,
              stderr: (await client.readFullLog(ref, { stream: 'stderr', attempt })).text,
            };
          }
        }
      }
    }
  }
  for (const query of ODD_QUERIES) await ask(query);
  return everything;
}

interface ShownTask {
  startedAt: string | null;
  attempts: { startedAt: string | null }[];
}

const isParametersTask = (query: string) => /^\w+\/\w+\/_parameters\/\w+$/.test(query);
/** A flow's unfiltered run list (a filtered one has no count on any backend). */
const isRunList = (query: string, shown: unknown) => /^\w+$/.test(query) && typeof shown === 'object' && shown !== null && 'runs' in shown;

/**
 * An answer without what only the local backend can know, each asserted in
 * `differs from local only where the service cannot know` below.
 */
function comparable(query: string, shown: unknown): unknown {
  if (isRunList(query, shown)) return { ...(shown as object), total: 'asserted apart' };
  if (isParametersTask(query)) {
    const task = shown as ShownTask;
    return { ...task, startedAt: 'asserted apart', attempts: task.attempts.map((a) => ({ ...a, startedAt: 'asserted apart' })) };
  }
  return shown;
}

const comparableAll = (answers: Answers) => Object.fromEntries(Object.entries(answers).map(([q, a]) => [q, comparable(q, a)]));

const SERVICE_BACKENDS = BACKEND_NAMES.filter((name) => name !== 'local');

describe('metaflowbot show gives the same answers on every backend', () => {
  let everything: Record<BackendName, Everything>;

  beforeAll(async () => {
    const all = await Promise.all(BACKEND_NAMES.map((name) => readEverything(backends.client(name))));
    everything = Object.fromEntries(BACKEND_NAMES.map((name, i) => [name, all[i]])) as Record<BackendName, Everything>;
  }, 60_000);

  it('covers every flow, run, step, task and attempt of the recordings', () => {
    const recorded = Object.entries(recordedCalls())
      .filter(([path, call]) => call.status === 200 && /^\/flows\/\w+(\/runs\/\d+(\/steps\/\w+(\/tasks\/\d+)?)?)?$/.test(path))
      .map(([path]) => path.replace(/\/(flows|runs|steps|tasks)\//g, '/').slice(1))
      .filter((pathspec) => !/^\w+\/\d+\/_parameters$/.test(pathspec));
    const asked = Object.keys(everything.local.shown).filter((q) => !ODD_QUERIES.includes(q));
    expect(recorded).toHaveLength(6 + 11 + 30 + 43);
    expect([...asked].sort()).toEqual([...recorded].sort());
    // Every task has one attempt but the two boom tasks, which have two.
    expect(Object.keys(everything.local.attempts)).toHaveLength(43 + 2);
  });

  it.each(SERVICE_BACKENDS)('answers every query over %s as over local', (name) => {
    expect(comparableAll(everything[name].shown)).toEqual(comparableAll(everything.local.shown));
  });

  it.each(SERVICE_BACKENDS)('reads every attempt\'s artifacts, exception and logs over %s as over local', (name) => {
    expect(everything[name].attempts).toEqual(everything.local.attempts);
  });

  it('answers identically over the local files and S3 behind the service', () => {
    expect(everything['service+s3']).toEqual(everything['service+local']);
  });

  it.each(SERVICE_BACKENDS)('differs from local over %s only where the service cannot know', (name) => {
    const checked = { runLists: 0, parametersTasks: 0 };
    for (const [query, local] of Object.entries(everything.local.shown)) {
      const other = everything[name].shown[query];
      if (isRunList(query, local)) {
        checked.runLists += 1;
        // As above: a paged service run list carries no count.
        expect((local as { total: number }).total).toBe((local as { runs: unknown[] }).runs.length);
        expect((other as { total: unknown }).total).toBeNull();
      }
      if (isParametersTask(query)) {
        // Metaflow writes no `attempt` entry for the `_parameters` task; the local reader falls
        // back to its `0.attempt.json` file, which the metadata service never sees.
        checked.parametersTasks += 1;
        const [l, o] = [local as ShownTask, other as ShownTask];
        expect(l.startedAt).not.toBeNull();
        expect(l.attempts.map((a) => a.startedAt)).toEqual([l.startedAt]);
        expect([o.startedAt, ...o.attempts.map((a) => a.startedAt)]).toEqual([null, null]);
      }
    }
    expect(checked).toEqual({ runLists: 6, parametersTasks: 11 });
  });
});
