/**
 * The service backend against the recorded answers of a real metadata service 2.5.1, replayed
 * over HTTP: every recorded flow, run, step and task maps to the record the recording implies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../../../src/metaflow/errors';
import { createServiceMetadataSource, type ServiceMetadataSource } from '../../../src/metaflow/service';
import { RECORDINGS, startFakeMetadataService, type FakeMetadataService } from '../../support/fake-metadata-service';

type Row = Record<string, unknown>;
const index = JSON.parse(readFileSync(join(RECORDINGS, 'index.json'), 'utf8')) as { requests: Record<string, { file: string }> };
function recorded(path: string): Row[] {
  return JSON.parse(readFileSync(join(RECORDINGS, index.requests[path].file), 'utf8')).body as Row[];
}

let fake: FakeMetadataService;
let source: ServiceMetadataSource;

beforeAll(async () => {
  fake = await startFakeMetadataService();
  source = createServiceMetadataSource({ url: fake.url, retryBaseDelayMs: 1 });
});

afterAll(async () => {
  await source.close();
  await fake.close();
});

describe('flows', () => {
  it('lists the recorded flows with their creation times', async () => {
    const flows = await source.listFlows();
    expect(flows.map((f) => f.name)).toEqual(['FailFlow', 'ForeachFlow', 'HelloFlow', 'LogFlow', 'ParamFlow', 'SlowFlow']);
    expect(flows.find((f) => f.name === 'HelloFlow')?.createdAt).toBe(1795839377479);
  });

  it('finds a flow by name and reports an unknown one as not found', async () => {
    expect(await source.getFlow('ParamFlow')).toEqual({ name: 'ParamFlow', createdAt: 1795839392070 });
    await expect(source.getFlow('NoSuchFlow')).rejects.toEqual(new NotFoundError('NoSuchFlow'));
  });
});

describe('runs', () => {
  it('reads a run with its tags, owner and creation time, and its heartbeat turned from seconds to ms', async () => {
    expect(await source.getRun('FailFlow', '10')).toEqual({
      flow: 'FailFlow',
      id: '10',
      user: 'botlab',
      tags: [],
      systemTags: ['python_version:3.11.2', 'runtime:dev', 'metaflow_version:2.19.38', 'user:botlab'],
      createdAt: 1795839835732,
      heartbeatAt: 1795839835000,
    });
    expect((await source.getRun('HelloFlow', '1')).tags).toEqual(['team:bots']);
  });

  it('lists HelloFlow runs newest first', async () => {
    const page = await source.listRuns('HelloFlow', {}, { limit: 10, cursor: null });
    expect(page.runs.map((r) => r.id)).toEqual(['9', '8', '2', '1']);
    expect(page.next).toBeNull();
  });

  it('reports an unknown run as not found, and gives an unknown flow no runs', async () => {
    await expect(source.getRun('HelloFlow', '999999')).rejects.toEqual(new NotFoundError('HelloFlow/999999'));
    await expect(source.getRun('NoSuchFlow', '1')).rejects.toBeInstanceOf(NotFoundError);
    expect(await source.listRuns('NoSuchFlow', {}, { limit: 10, cursor: null })).toEqual({ runs: [], next: null, total: null });
  });

  it('never sends a name that could walk the URL space', async () => {
    fake.resetLog();
    await expect(source.getRun('HelloFlow', '..')).rejects.toBeInstanceOf(NotFoundError);
    expect(await source.listSteps('..', '1')).toEqual([]);
    expect(fake.requests).toEqual([]);
  });
});

describe('steps and tasks', () => {
  it('reads steps although the service gives their run number as a string', async () => {
    expect(recorded('/flows/FailFlow/runs/10/steps')[0].run_number).toBe('10');
    expect(await source.listSteps('FailFlow', '10')).toEqual([
      { name: '_parameters', createdAt: 1795839835748 },
      { name: 'start', createdAt: 1795839836182 },
      { name: 'boom', createdAt: 1795839838889 },
    ]);
  });

  it('reads tasks with numeric ids as strings and heartbeats in ms', async () => {
    const expected = { step: 'boom', id: '41', createdAt: 1795839838896, heartbeatAt: 1795839838000 };
    expect(await source.listTasks('FailFlow', '10', 'boom')).toEqual([expected]);
    expect(await source.getTask('FailFlow', '10', 'boom', '41')).toEqual(expected);
  });

  it('reports an unknown task as not found and an unknown run as having no steps', async () => {
    await expect(source.getTask('HelloFlow', '1', 'end', '999999')).rejects.toEqual(new NotFoundError('HelloFlow/1/end/999999'));
    expect(await source.listSteps('HelloFlow', '999999')).toEqual([]);
    expect(await source.taskMetadata('HelloFlow', '1', 'end', '999999')).toEqual([]);
  });

  it('lists the foreach tasks in creation order', async () => {
    expect((await source.listTasks('ForeachFlow', '4', 'train')).map((t) => t.id)).toEqual(['14', '15', '16']);
  });
});

describe('metadata and attempts', () => {
  it('gives FailFlow run 10 boom task 41 two attempts, both failed', async () => {
    const attempts = await source.stepAttempts('FailFlow', '10', 'boom');
    expect([...attempts.keys()]).toEqual(['41']);
    expect(attempts.get('41')).toEqual([
      { attempt: 0, startedAt: 1795839840157, doneAt: 1795839840396, ok: false },
      { attempt: 1, startedAt: 1795839842031, doneAt: 1795839842234, ok: false },
    ]);
  });

  it('gives a successful end task one good attempt, and the _parameters task a done attempt of unknown outcome', async () => {
    expect((await source.stepAttempts('HelloFlow', '1', 'end')).get('4')).toEqual([
      expect.objectContaining({ attempt: 0, ok: true }),
    ]);
    const params = await source.stepAttempts('HelloFlow', '1', '_parameters');
    expect([...params.values()][0]).toEqual([expect.objectContaining({ attempt: 0, startedAt: null, ok: null })]);
  });

  it('reads every step of a run from one run-wide metadata call', async () => {
    const steps = await source.listSteps('ForeachFlow', '4');
    fake.resetLog();
    const all = await Promise.all(steps.map((s) => source.stepAttempts('ForeachFlow', '4', s.name)));
    expect(all.map((m) => m.size)).toEqual([1, 1, 3, 1, 1]);
    expect(fake.requests).toEqual(['/flows/ForeachFlow/runs/4/metadata']);
  });

  it('ties metadata to attempts by the attempt_id tag, and leaves run-level entries without one', async () => {
    const meta = await source.taskMetadata('FailFlow', '10', 'boom', '41');
    expect(meta.filter((e) => e.field === 'attempt_ok').map((e) => [e.attempt, e.value, e.type])).toEqual([
      [0, 'False', 'internal_attempt_status'],
      [1, 'False', 'internal_attempt_status'],
    ]);
    const ts = meta.map((e) => e.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    const params = await source.taskMetadata('HelloFlow', '1', '_parameters', '1');
    expect(params.find((e) => e.field === 'end_step')).toEqual({ field: 'end_step', value: 'end', type: 'graph_structure', attempt: null, ts: 1795839377828 });
  });

  it('turns the PostgreSQL array text of foreach-stack into the list Metaflow wrote', async () => {
    const meta = await source.taskMetadata('ForeachFlow', '4', 'train', '15');
    expect(recorded('/flows/ForeachFlow/runs/4/steps/train/tasks/15/metadata').find((m) => m.field_name === 'foreach-stack')?.value).toBe('{items=b}');
    expect(meta.find((e) => e.field === 'foreach-stack')?.value).toEqual(['items=b']);
    expect(meta.find((e) => e.field === 'git-info')?.value).toBe('{"has_uncommitted_changes": true}');
  });
});

describe('artifacts', () => {
  it('lists the artifacts of each attempt from the attempt endpoint', async () => {
    const first = await source.listArtifacts('FailFlow', '10', 'boom', '41', 0);
    const second = await source.listArtifacts('FailFlow', '10', 'boom', '41', 1);
    expect(first.every((a) => a.attempt === 0)).toBe(true);
    expect(second.every((a) => a.attempt === 1)).toBe(true);
    expect(first.find((a) => a.name === 'name')).toEqual({
      name: 'name',
      sha: '30969c6c11768265c2f95b4cf5b242f22ef87c7b',
      attempt: 0,
      encoding: 'pickle-v4',
      createdAt: 1795839840411,
      location: 's3://metaflow-fixtures/metaflow',
    });
    expect(await source.listArtifacts('FailFlow', '10', 'boom', '41', 7)).toEqual([]);
  });
});

describe('every recorded object', () => {
  const runPaths = Object.keys(index.requests).filter((k) => /^\/flows\/\w+\/runs\/\d+$/.test(k) && !k.endsWith('/999999'));

  it.each(runPaths)('%s maps run, steps, tasks, attempts and artifacts as recorded', async (runPath) => {
    const [, , flow, , run] = runPath.split('/');
    const raw = recorded(runPath) as unknown as Row;
    const record = await source.getRun(flow, run);
    expect(record).toMatchObject({ id: String(raw.run_number), createdAt: raw.ts_epoch, heartbeatAt: (raw.last_heartbeat_ts as number) * 1000 });

    const steps = await source.listSteps(flow, run);
    expect(steps.map((s) => s.name).sort()).toEqual(recorded(`${runPath}/steps`).map((s) => s.step_name).sort());
    for (const step of steps) {
      const rawTasks = recorded(`${runPath}/steps/${step.name}/tasks`);
      const tasks = await source.listTasks(flow, run, step.name);
      expect(tasks.map((t) => [t.id, t.createdAt, t.heartbeatAt]).sort()).toEqual(
        rawTasks.map((t) => [String(t.task_id), t.ts_epoch, (t.last_heartbeat_ts as number) * 1000]).sort(),
      );
      const attempts = await source.stepAttempts(flow, run, step.name);
      for (const task of tasks) {
        const rawMeta = recorded(`${runPath}/steps/${step.name}/tasks/${task.id}/metadata`);
        const oks = rawMeta
          .filter((m) => m.field_name === 'attempt_ok')
          .sort((a, b) => (a.ts_epoch as number) - (b.ts_epoch as number))
          .map((m) => m.value === 'True');
        expect((attempts.get(task.id) ?? []).map((a) => a.ok).filter((ok) => ok !== null)).toEqual(oks);
        expect((await source.taskMetadata(flow, run, step.name, task.id)).length).toBe(rawMeta.length);
        expect(await source.getTask(flow, run, step.name, task.id)).toEqual(task);
        for (const { attempt } of attempts.get(task.id) ?? []) {
          const artifactsPath = `${runPath}/steps/${step.name}/tasks/${task.id}/attempt/${attempt}/artifacts`;
          if (!index.requests[artifactsPath]) continue;
          const artifacts = await source.listArtifacts(flow, run, step.name, task.id, attempt);
          expect(artifacts.map((a) => [a.name, a.sha]).sort()).toEqual(recorded(artifactsPath).map((a) => [a.name, a.sha]).sort());
        }
      }
    }
  });
});
