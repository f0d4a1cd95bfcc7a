import { NotFoundError } from '../../src/metaflow/errors';
import { parseRunQuery } from '../../src/metaflow/runspec';
import { expected, expectedMs } from '../support/fixtures';
import { A_MINUTE_AFTER_SLEEPYFLOW_STARTED, localClient } from '../support/local-client';

const client = localClient();

describe('the local client reads what real Metaflow wrote', () => {
  it('lists every flow of the folder', async () => {
    expect((await client.listFlows()).map((f) => f.name)).toEqual(expected().flows);
  });

  describe.each(expected().runs.map((r) => [r.pathspec, r] as const))('run %s', (_pathspec, want) => {
    it('has the owner, tags and status Metaflow gives it', async () => {
      const run = await client.getRun(want.flow, want.run_id);
      expect(run.user).toBe(want.user);
      expect([...run.tags].sort()).toEqual([...want.tags].sort());
      expect([...run.systemTags].sort()).toEqual([...want.system_tags].sort());
      expect(run.status).toBe(want.status === 'running-or-lost' ? 'lost' : want.status);
      if (want.status === 'successful') expect(run.finishedAt).toBe(expectedMs(want.finished_at));
    });

    it('has its steps in DAG order with their tasks and statuses', async () => {
      const steps = await client.listSteps(want.flow, want.run_id);
      const names = steps.map((s) => s.name);
      expect([...names].sort()).toEqual(want.steps.map((s) => s.step).sort());
      const graphOrder = JSON.stringify(want.graph.graph_structure).match(/"[^"]+"/g)?.map((s) => JSON.parse(s) as string) ?? [];
      expect(names).toEqual(graphOrder.filter((n) => names.includes(n)));
      for (const wantStep of want.steps) {
        const step = steps.find((s) => s.name === wantStep.step);
        expect(step?.taskCount).toBe(wantStep.tasks.length);
        const page = await client.listTasks(want.flow, want.run_id, wantStep.step, { limit: 100 });
        expect(page.items.map((t) => t.id).sort()).toEqual([...wantStep.task_ids_client_order].sort());
        for (const wantTask of wantStep.tasks) {
          const task = page.items.find((t) => t.id === wantTask.task_id);
          expect(task?.status).toBe(wantTask.status === 'running-or-lost' ? 'lost' : wantTask.status);
          expect(task?.attempt).toBe(wantTask.current_attempt);
          expect(task?.attempts.map((a) => a.attempt)).toEqual(wantTask.attempts_started);
          expect(task?.foreachIndex).toBe(wantTask.index);
        }
      }
    });

    it('names the exception of every failed task', async () => {
      for (const wantStep of want.steps) {
        for (const wantTask of wantStep.tasks) {
          const ref = { flow: want.flow, run: want.run_id, step: wantStep.step, task: wantTask.task_id };
          const exception = await client.taskException(ref);
          if (wantTask.exception) {
            expect(exception).toMatchObject({ type: wantTask.exception.type, message: wantTask.exception.message });
          } else if (wantTask.status === 'successful') {
            expect(exception).toBeNull();
          }
        }
      }
    });
  });
});

describe('run status', () => {
  it('calls the killed SleepyFlow run lost once it has been silent beyond the cutoff', async () => {
    const run = await client.getRun('SleepyFlow', '1795835929540849');
    expect(run.status).toBe('lost');
    expect(run.finishedAt).toBeNull();
  });

  it('calls the same run running while its last sign of life is recent', async () => {
    const early = localClient(A_MINUTE_AFTER_SLEEPYFLOW_STARTED);
    expect((await early.getRun('SleepyFlow', '1795835929540849')).status).toBe('running');
    const tasks = await early.listTasks('SleepyFlow', '1795835929540849', 'nap');
    expect(tasks.items[0].status).toBe('running');
  });

  it('does not count a retried attempt that later succeeded as a failure', async () => {
    const run = await client.getRun('RetryFlow', '1795835910380706');
    expect(run.status).toBe('successful');
    const task = await client.getTask('RetryFlow', '1795835910380706', 'flaky', '2');
    expect(task.attempts.map((a) => a.status)).toEqual(['failed', 'successful']);
    expect(task.status).toBe('successful');
  });

  it('calls FailFlow failed with the time its task failed', async () => {
    const run = await client.getRun('FailFlow', '1795835906791541');
    expect(run.status).toBe('failed');
    expect(run.finishedAt).not.toBeNull();
    expect(run.durationMs).toBeGreaterThan(0);
  });

  it('honours a configured cutoff', async () => {
    const patient = new (client.constructor as typeof import('../../src/metaflow/client').MetaflowClient)({
      metadata: client.metadata,
      datastore: client.datastore,
      now: () => Date.parse('2026-11-28T04:20:00Z'),
      lostAfterMs: 24 * 3600 * 1000,
    });
    expect((await patient.getRun('SleepyFlow', '1795835929540849')).status).toBe('running');
  });
});

describe('run listing', () => {
  it('lists runs newest first by creation, also when an old run was re-tagged later', async () => {
    const hello = await client.listRuns('HelloFlow');
    expect(hello.items.map((r) => r.id)).toEqual(expected().run_ids_client_order.HelloFlow);
    expect(hello.total).toBe(3);
    // Metaflow's client lists the re-tagged ParamsFlow run first (its ts_epoch moved); it is the older one.
    const params = await client.listRuns('ParamsFlow');
    expect(params.items.map((r) => r.id)).toEqual(['1795835888659417', '1795835885403547']);
    expect(params.items[1].createdAt).toBe(Math.floor(1795835885403547 / 1000));
  });

  it('pages through runs with a cursor', async () => {
    const first = await client.listRuns('HelloFlow', { limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await client.listRuns('HelloFlow', { limit: 2, cursor: first.next });
    expect(second.items.map((r) => r.id)).toEqual(['1795835872379314']);
    expect(second.next).toBeNull();
  });

  it('filters by user, tag and status', async () => {
    expect((await client.listRuns('BranchFlow', { user: 'bob' })).items.map((r) => r.user)).toEqual(['bob']);
    expect((await client.listRuns('ParamsFlow', { tags: ['nightly'] })).items.map((r) => r.id)).toEqual(['1795835885403547']);
    expect((await client.listRuns('ParamsFlow', { tags: ['nightly', 'adhoc'] })).items).toHaveLength(0);
    expect((await client.listRuns('ProjectFlow', { tags: ['project:fixture_project'] })).items).toHaveLength(1);
    expect((await client.listRuns('SleepyFlow', { status: ['lost'] })).items).toHaveLength(1);
    expect((await client.listRuns('SleepyFlow', { status: ['running', 'failed'] })).items).toHaveLength(0);
  });

  it('says which flow was meant when only case or a typo differs', async () => {
    await expect(client.listRuns('helloflow')).rejects.toThrow('Flow helloflow was not found. Did you mean HelloFlow?');
    await expect(client.getFlow('HeloFlow')).rejects.toThrow('Did you mean HelloFlow?');
    await expect(client.getFlow('Nothing')).rejects.toThrow(new NotFoundError('Flow Nothing'));
  });

  it('never reads outside the root for hostile names', async () => {
    await expect(client.getRun('..', 'x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.getRun('HelloFlow', '../../etc')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.getTask('HelloFlow', '1795835881413377', 'start', '../../..')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('run details', () => {
  it('gives the parameters of a run as Python shows them, without constants', async () => {
    const params = await client.getParameters('ParamsFlow', '1795835888659417');
    expect(Object.fromEntries(params.map((p) => [p.name, p.preview]))).toEqual({
      config: "{'mode': 'slow', 'levels': [3], 'nested': {'k': None}}",
      count: '7',
      greeting: "'héllo wörld'",
      ratio: '2.5',
      verbose: 'True',
    });
  });

  it('gives the graph with the end step and DAG order of a branch', async () => {
    const graph = await client.getGraph('BranchFlow', '1795835898163077');
    expect(graph?.order).toEqual(['start', 'left', 'right', 'join', 'end']);
    expect(graph?.endStep).toBe('end');
  });

  it('shows the foreach items of each task', async () => {
    const page = await client.listTasks('ForeachFlow', '1795835892295200', 'process');
    expect(page.items.map((t) => t.foreachIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(page.items[1].foreachStack).toEqual(['items=banana']);
  });

  it('pages through tasks and puts problems first when asked', async () => {
    const first = await client.listTasks('ForeachFlow', '1795835892295200', 'process', { limit: 2 });
    expect(first.total).toBe(5);
    const rest = await client.listTasks('ForeachFlow', '1795835892295200', 'process', { limit: 10, cursor: first.next });
    expect([...first.items, ...rest.items].map((t) => t.id)).toEqual(['2', '3', '4', '5', '6']);
  });
});

describe('artifacts', () => {
  const ref = { flow: 'HelloFlow', run: '1795835881413377', step: 'a', task: '2' };

  it('lists a task artifacts with type, size and preview, hiding internal ones', async () => {
    const artifacts = await client.listArtifacts(ref);
    expect(artifacts.every((a) => !a.name.startsWith('_'))).toBe(true);
    const name = artifacts.find((a) => a.name === 'name');
    expect(name).toMatchObject({ type: 'str', preview: "'HelloFlow'" });
    expect((await client.listArtifacts(ref, { includeInternal: true })).some((a) => a.name === '_task_ok')).toBe(true);
  });

  it('cuts long previews but keeps their full length', async () => {
    const run = expected().runs.find((r) => r.flow === 'ArtifactsFlow');
    const start = { flow: 'ArtifactsFlow', run: run?.run_id ?? '', step: 'start', task: '1' };
    const all = await client.listArtifacts(start, { previewLength: 50 });
    const long = all.filter((a) => a.previewTruncated);
    expect(long.length).toBeGreaterThan(0);
    for (const a of long) {
      expect(a.preview.length).toBeLessThanOrEqual(50);
      expect(a.previewLength).toBeGreaterThan(50);
    }
  });

  it('says when an artifact is too large to preview', async () => {
    const run = expected().runs.find((r) => r.flow === 'ArtifactsFlow');
    const small = new (client.constructor as typeof import('../../src/metaflow/client').MetaflowClient)({
      metadata: client.metadata,
      datastore: client.datastore,
      maxPreviewBytes: 1024 * 1024,
    });
    const artifacts = await small.listArtifacts({ flow: 'ArtifactsFlow', run: run?.run_id ?? '', step: 'start', task: '1' });
    expect(artifacts.some((a) => /too large to preview \(\d+(\.\d)? MB\)/.test(a.preview))).toBe(true);
  });

  it('suggests the artifact meant when the name is misspelt', async () => {
    await expect(client.getArtifact(ref, 'nmae')).rejects.toThrow('Did you mean name?');
  });
});

describe('logs', () => {
  const chatty = { flow: 'LogsFlow', run: '1795835915468133', step: 'chatty', task: '2' };

  it('gives the tail of stdout and pages back to the start without losing a line', async () => {
    const whole = await client.readFullLog(chatty, { stream: 'stdout' });
    const wholeLines = whole.text.split('\n').slice(0, -1);
    expect(wholeLines).toHaveLength(5005);
    let page = await client.readLog(chatty, { stream: 'stdout', limit: 1000 });
    const seen = [...page.lines];
    while (page.older) {
      page = await client.readLog(chatty, { stream: 'stdout', limit: 1000, before: page.older });
      seen.unshift(...page.lines);
    }
    expect(seen).toHaveLength(5005);
    expect(seen[seen.length - 1].message).toBe(wholeLines[wholeLines.length - 1]);
  });

  it('shows the failing attempt stderr ending with Task failed.', async () => {
    const page = await client.readLog({ flow: 'FailFlow', run: '1795835906791541', step: 'explode', task: '2' }, { stream: 'stderr', limit: 5 });
    expect(page.lines[page.lines.length - 1].message).toBe('Task failed.');
    expect(page.lines.some((l) => l.message.includes('ValueError'))).toBe(true);
  });

  it('has empty logs for a lost task that never wrote any', async () => {
    const page = await client.readLog({ flow: 'SleepyFlow', run: '1795835929540849', step: 'nap', task: '2' }, { stream: 'stdout' });
    expect(page.lines).toEqual([]);
    expect(page.older).toBeNull();
  });
});

describe('run queries', () => {
  it('resolves each kind of query to what it names', async () => {
    expect((await client.resolve(parseRunQuery('HelloFlow'))).kind).toBe('runs');
    const latest = await client.resolve(parseRunQuery('latest run of HelloFlow'));
    expect(latest.kind === 'run' && latest.run.id).toBe('1795835881413377');
    const bobs = await client.resolve(parseRunQuery("bob's latest run of BranchFlow"));
    expect(bobs.kind === 'run' && bobs.run.user).toBe('bob');
    const step = await client.resolve(parseRunQuery('ForeachFlow/1795835892295200/process'));
    expect(step.kind === 'step' && step.step.taskCount).toBe(5);
    const task = await client.resolve(parseRunQuery('RetryFlow/1795835910380706/flaky/2'));
    expect(task.kind === 'task' && task.task.attempt).toBe(1);
  });

  it('explains what was not found', async () => {
    await expect(client.resolve(parseRunQuery("carol's latest run of HelloFlow"))).rejects.toThrow(/A run matching .*carol.* was not found/);
    await expect(client.resolve(parseRunQuery('HelloFlow/123'))).rejects.toThrow('Run HelloFlow/123 was not found.');
    await expect(client.resolve(parseRunQuery('HelloFlow/1795835881413377/strat'))).rejects.toThrow('Did you mean start?');
  });
});

describe('cache', () => {
  it('shares identical concurrent reads and serves warm reads from memory', async () => {
    const fresh = localClient();
    await Promise.all([fresh.listRuns('HelloFlow'), fresh.listRuns('HelloFlow')]);
    const before = fresh.cache.stats();
    await fresh.listRuns('HelloFlow');
    const after = fresh.cache.stats();
    expect(after.misses).toBe(before.misses);
    expect(after.hits).toBeGreaterThan(before.hits);
  });
});
