/**
 * What the client's cache saves and what it must not keep, counted at the sources: every call
 * the client makes to its metadata source and datastore is recorded, over the real fixture
 * runs. Time is the client's own clock (status and cache expiry alike), moved by the tests.
 */
import { ClientCache } from '../../src/metaflow/cache';
import { MetaflowClient, type TaskRef } from '../../src/metaflow/client';
import { LocalDatastore } from '../../src/metaflow/datastore/local';
import { LocalMetadataSource } from '../../src/metaflow/local/metadata';
import { ChangingMetaflow } from '../support/changing-metaflow';
import { LOCAL_ROOT } from '../support/fixtures';
import { AN_HOUR_AFTER_THE_FIXTURES, A_MINUTE_AFTER_SLEEPYFLOW_STARTED } from '../support/local-client';

/** Past the client's default expiry of lists and unfinished runs ("within seconds"). */
const A_FEW_SECONDS = 10_000;

const HELLO = { flow: 'HelloFlow', run: '1795835881413377' };
const ARTIFACTS_START: TaskRef = { flow: 'ArtifactsFlow', run: '1795835921266226', step: 'start', task: '1' };
const SLEEPY = { flow: 'SleepyFlow', run: '1795835929540849' };

interface Call {
  method: string;
  args: unknown[];
}

/** The same object, with every method call recorded in `calls`. */
function recorded<T extends object>(target: T, calls: Call[]): T {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(key), args });
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

interface Setup {
  client: MetaflowClient;
  calls: Call[];
  count(method: string): number;
  /** Moves the clock on by `ms` (default: past the short expiry). */
  later(ms?: number): void;
  forget(): void;
}

function setup(opts: { root?: string; now?: number; maxBytes?: number } = {}): Setup {
  const root = opts.root ?? LOCAL_ROOT;
  const clock = { now: opts.now ?? AN_HOUR_AFTER_THE_FIXTURES };
  const now = (): number => clock.now;
  const calls: Call[] = [];
  const client = new MetaflowClient({
    metadata: recorded(new LocalMetadataSource(root), calls),
    datastore: recorded(new LocalDatastore(root), calls),
    now,
    cache: new ClientCache({ now, maxBytes: opts.maxBytes }),
  });
  return {
    client,
    calls,
    count: (method) => calls.filter((c) => c.method === method).length,
    later: (ms = A_FEW_SECONDS) => {
      clock.now += ms;
    },
    forget: () => {
      calls.length = 0;
    },
  };
}

/** Everything a user can open of a run: steps, tasks, artifacts, logs, parameters. */
async function readWholeRun(client: MetaflowClient, flow: string, run: string): Promise<void> {
  await client.getParameters(flow, run);
  for (const step of await client.listSteps(flow, run)) {
    for (const task of (await client.listTasks(flow, run, step.name)).items) {
      const ref = { flow, run, step: step.name, task: task.id };
      await client.getTask(flow, run, step.name, task.id);
      await client.listArtifacts(ref);
      await client.readLog(ref, { stream: 'stdout' });
      await client.readLog(ref, { stream: 'stderr' });
    }
  }
}

describe('identical concurrent reads', () => {
  it('share one read of a run, of a run list and of an artifact', async () => {
    const { client, count } = setup();
    const runs = await Promise.all([1, 2, 3, 4].map(() => client.getRun(HELLO.flow, HELLO.run)));
    expect(runs.map((r) => r.status)).toEqual(['successful', 'successful', 'successful', 'successful']);
    expect(count('getRun')).toBe(1);
    expect(count('stepAttempts')).toBe(1);

    await Promise.all([1, 2, 3].map(() => client.listRuns('HelloFlow')));
    expect(count('listRuns')).toBe(1);

    const previews = await Promise.all([1, 2, 3].map(() => client.getArtifact({ ...HELLO, step: 'a', task: '2' }, 'name')));
    expect(new Set(previews.map((a) => a.preview))).toEqual(new Set(["'HelloFlow'"]));
    expect(count('readBlob')).toBe(1);
  });
});

describe('a finished run', () => {
  it('is kept: read again later, only its record (whose tags can change) is asked for', async () => {
    const { client, calls, later, forget } = setup();
    await readWholeRun(client, HELLO.flow, HELLO.run);
    expect(calls.length).toBeGreaterThan(0);
    later(3600_000);
    forget();
    await readWholeRun(client, HELLO.flow, HELLO.run);
    expect(new Set(calls.map((c) => c.method))).toEqual(new Set(['getRun']));
  });

  it('has each artifact value read once by sha, however many tasks share it', async () => {
    const { client, calls } = setup();
    const steps = await client.listSteps(HELLO.flow, HELLO.run);
    const listed: string[] = [];
    for (const step of steps) {
      for (const task of (await client.listTasks(HELLO.flow, HELLO.run, step.name)).items) {
        listed.push(...(await client.listArtifacts({ ...HELLO, step: step.name, task: task.id })).map((a) => a.sha));
      }
    }
    // Tasks pass their parents' artifacts down by reference: the same sha in several tasks.
    expect(new Set(listed).size).toBeLessThan(listed.length);
    const blobReads = calls.filter((c) => c.method === 'readBlob').map((c) => c.args[1] as string);
    expect(blobReads.filter((sha) => listed.includes(sha)).sort()).toEqual([...new Set(listed)].sort());
  });
});

describe('lists and unfinished runs', () => {
  it('are read again once a few seconds have passed, not before', async () => {
    const { client, count, later } = setup();
    await client.listFlows();
    await client.listRuns('HelloFlow');
    await client.listFlows();
    await client.listRuns('HelloFlow');
    expect([count('listFlows'), count('listRuns')]).toEqual([1, 1]);
    later();
    await client.listFlows();
    await client.listRuns('HelloFlow');
    expect([count('listFlows'), count('listRuns')]).toEqual([2, 2]);
  });

  it('read a running run, its steps and its tasks again once a few seconds have passed', async () => {
    const { client, count, later } = setup({ now: A_MINUTE_AFTER_SLEEPYFLOW_STARTED });
    const readAll = async (): Promise<void> => {
      expect((await client.getRun(SLEEPY.flow, SLEEPY.run)).status).toBe('running');
      await client.listSteps(SLEEPY.flow, SLEEPY.run);
      await client.getTask(SLEEPY.flow, SLEEPY.run, 'nap', '2');
    };
    await readAll();
    const first = { attempts: count('stepAttempts'), steps: count('listSteps'), task: count('taskAttempts') };
    await readAll();
    expect({ attempts: count('stepAttempts'), steps: count('listSteps'), task: count('taskAttempts') }).toEqual(first);
    later();
    await readAll();
    expect(count('stepAttempts')).toBeGreaterThan(first.attempts);
    expect(count('listSteps')).toBeGreaterThan(first.steps);
    expect(count('taskAttempts')).toBeGreaterThan(first.task);
  });
});

describe('the byte bound', () => {
  async function previewEveryArtifact(client: MetaflowClient): Promise<string[]> {
    const names = (await client.listArtifacts(ARTIFACTS_START)).map((a) => a.name);
    for (const name of names) await client.getArtifact(ARTIFACTS_START, name);
    return names;
  }

  it('evicts the least recently used entries once the cache holds maxBytes', async () => {
    const maxBytes = 24 * 1024;
    const small = setup({ maxBytes });
    const names = await previewEveryArtifact(small.client);
    expect(small.client.cache.stats().bytes).toBeLessThanOrEqual(maxBytes);
    small.forget();
    await small.client.getArtifact(ARTIFACTS_START, names[0]);
    expect(small.count('readBlob')).toBe(1);

    const roomy = setup();
    await previewEveryArtifact(roomy.client);
    expect(roomy.client.cache.stats().bytes).toBeGreaterThan(maxBytes);
    roomy.forget();
    await roomy.client.getArtifact(ARTIFACTS_START, names[0]);
    expect(roomy.count('readBlob')).toBe(0);
  });
});

describe('a lost run', () => {
  let mf: ChangingMetaflow;

  beforeAll(async () => {
    mf = await ChangingMetaflow.create(['LongFlow']);
  });

  afterAll(async () => {
    await mf.remove();
  });

  it('is no final word: once it has finished, the same client says successful', async () => {
    // A local task has no heartbeat: one silent for longer than the cutoff looks lost.
    const run = await mf.appear('LongFlow', { at: Date.now() - 10 * 60_000 });
    const { client, later } = setup({ root: mf.root, now: Date.now() });
    expect((await client.getRun('LongFlow', run)).status).toBe('lost');
    expect((await client.listRuns('LongFlow')).items.map((r) => r.status)).toEqual(['lost']);
    expect((await client.listSteps('LongFlow', run)).map((s) => [s.name, s.status])).toEqual([['start', 'lost']]);

    await mf.finish('LongFlow', run);
    later();
    const finished = await client.getRun('LongFlow', run);
    expect(finished.status).toBe('successful');
    expect(finished.finishedAt).not.toBeNull();
    expect((await client.listRuns('LongFlow')).items.map((r) => r.status)).toEqual(['successful']);
    expect((await client.listSteps('LongFlow', run)).map((s) => [s.name, s.status])).toEqual([
      ['start', 'successful'],
      ['a', 'successful'],
      ['end', 'successful'],
    ]);
    expect((await client.getTask('LongFlow', run, 'start', '1')).status).toBe('successful');
  });
});
