/**
 * Run lists: the service's own paging and filters (2.5.1) and our paging over the whole list
 * (older services) give the same runs in the same order.
 */
import { MetaflowError } from '../../../src/metaflow/errors';
import type { RunListQuery, RunRecord } from '../../../src/metaflow/sources';
import { createServiceMetadataSource, type ServiceMetadataSource } from '../../../src/metaflow/service';
import { startFakeMetadataService, type FakeMetadataService } from '../../support/fake-metadata-service';

let fake: FakeMetadataService;
const sources: ServiceMetadataSource[] = [];

function open(): ServiceMetadataSource {
  const source = createServiceMetadataSource({ url: fake.url, retryBaseDelayMs: 1 });
  sources.push(source);
  return source;
}

/** Every run, page by page, and the pages' sizes. */
async function pageThrough(source: ServiceMetadataSource, flow: string, query: RunListQuery, limit: number) {
  const runs: RunRecord[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const page = await source.listRuns(flow, query, { limit, cursor });
    runs.push(...page.runs);
    sizes.push(page.runs.length);
    cursor = page.next;
  } while (cursor);
  return { ids: runs.map((r) => r.id), runs, sizes };
}

beforeAll(async () => {
  fake = await startFakeMetadataService();
  fake.addSyntheticFlow('BigFlow', { runs: 230 });
  fake.addFlow('OwnersFlow', [
    { ts_epoch: 1_000, user_name: 'alice' },
    { ts_epoch: 2_000, user_name: 'alice', system_tags: ['runtime:argo-workflows'], id: 'argo-xyz' },
    { ts_epoch: 3_000, user_name: 'bob', tags: ['a,b', 'null'] },
    { ts_epoch: 3_000, user_name: 'bob' },
  ]);
});

afterEach(() => {
  fake.legacy = false;
  fake.clearFaults();
});

afterAll(async () => {
  await Promise.all(sources.map((s) => s.close()));
  await fake.close();
});

describe('on a service that pages (2.5.1)', () => {
  it('reads the version once from /ping', async () => {
    const source = open();
    fake.resetLog();
    expect(await source.serviceVersion()).toBe('2.5.1');
    await source.listRuns('HelloFlow', {}, { limit: 2, cursor: null });
    await source.listRuns('FailFlow', {}, { limit: 2, cursor: null });
    expect(fake.requests.filter((u) => u === '/ping')).toHaveLength(1);
  });

  it('pages with _limit and the service cursor', async () => {
    const source = open();
    fake.resetLog();
    const { ids, sizes } = await pageThrough(source, 'HelloFlow', {}, 1);
    expect(ids).toEqual(['9', '8', '2', '1']);
    expect(sizes).toEqual([1, 1, 1, 1]);
    expect(fake.requests.filter((u) => u.startsWith('/flows/HelloFlow/runs'))).toEqual([
      '/flows/HelloFlow/runs?_limit=1',
      '/flows/HelloFlow/runs?_limit=1&_cursor=eyJ0c19lcG9jaCI6IDE3OTU4Mzk2NzUyOTAsICJydW5fbnVtYmVyIjogOX0%3D',
      '/flows/HelloFlow/runs?_limit=1&_cursor=eyJ0c19lcG9jaCI6IDE3OTU4Mzk0MzUxOTksICJydW5fbnVtYmVyIjogOH0%3D',
      expect.stringMatching(/^\/flows\/HelloFlow\/runs\?_limit=1&_cursor=/),
    ]);
  });

  it('filters on tags and owner on the service', async () => {
    const source = open();
    fake.resetLog();
    const tagged = await source.listRuns('HelloFlow', { tags: ['team:bots', 'user:botlab'] }, { limit: 10, cursor: null });
    expect(tagged.runs.map((r) => r.id)).toEqual(['1']);
    const mine = await source.listRuns('HelloFlow', { user: 'botlab' }, { limit: 10, cursor: null });
    expect(mine.runs.map((r) => r.id)).toEqual(['9', '8', '2', '1']);
    expect((await source.listRuns('HelloFlow', { user: 'nobody' }, { limit: 10, cursor: null })).runs).toEqual([]);
    expect(fake.requests).toContain('/flows/HelloFlow/runs?_limit=10&_tags:all=team%3Abots%2Cuser%3Abotlab');
    expect(fake.requests).toContain('/flows/HelloFlow/runs?_limit=10&user_name:eq=botlab');
  });

  it('pre-filters on the service status with a superset of the statuses asked', async () => {
    const source = open();
    fake.resetLog();
    // FailFlow 10 died outside `end` under 6 minutes before the recording: the service still says running.
    const failed = await source.listRuns('FailFlow', { status: ['failed'] }, { limit: 10, cursor: null });
    expect(failed.runs.map((r) => r.id)).toEqual(['10', '7']);
    const running = await source.listRuns('HelloFlow', { status: ['running'] }, { limit: 10, cursor: null });
    expect(running.runs).toEqual([]);
    const lost = await source.listRuns('HelloFlow', { status: ['lost', 'running'] }, { limit: 10, cursor: null });
    expect(lost.runs).toEqual([]);
    expect(fake.requests).toEqual(
      expect.arrayContaining([
        '/flows/FailFlow/runs?_limit=10&status:eq=failed%2Crunning',
        '/flows/HelloFlow/runs?_limit=10&status:eq=running',
        '/flows/HelloFlow/runs?_limit=10&status:eq=failed%2Crunning',
      ]),
    );
  });

  it('does not pre-filter successful runs, which the service completes only for a last step named end', async () => {
    const source = open();
    fake.resetLog();
    const done = await source.listRuns('HelloFlow', { status: ['successful'] }, { limit: 10, cursor: null });
    expect(done.runs.map((r) => r.id)).toEqual(['9', '8', '2', '1']);
    expect(fake.requests).toContain('/flows/HelloFlow/runs?_limit=10');
  });

  it('rejects a cursor it did not make', async () => {
    const source = open();
    await expect(source.listRuns('HelloFlow', {}, { limit: 1, cursor: 'garbage' })).rejects.toBeInstanceOf(MetaflowError);
  });
});

describe('on an older service (no version header, no paging)', () => {
  it('fetches the whole list once, then pages over it newest first', async () => {
    fake.legacy = true;
    const source = open();
    fake.resetLog();
    expect(await source.serviceVersion()).toBeNull();
    const { ids, sizes } = await pageThrough(source, 'HelloFlow', {}, 3);
    expect(ids).toEqual(['9', '8', '2', '1']);
    expect(sizes).toEqual([3, 1]);
    expect(fake.requests).toEqual(['/ping', '/flows/HelloFlow/runs']);
  });

  it('knows the total of matching runs', async () => {
    fake.legacy = true;
    const page = await open().listRuns('BigFlow', { tags: ['nightly'] }, { limit: 5, cursor: null });
    expect(page.total).toBe(23);
  });

  it('filters owner and tags on our side', async () => {
    fake.legacy = true;
    const source = open();
    expect((await source.listRuns('HelloFlow', { tags: ['team:bots'] }, { limit: 10, cursor: null })).runs.map((r) => r.id)).toEqual(['1']);
    expect((await source.listRuns('HelloFlow', { user: 'nobody' }, { limit: 10, cursor: null })).runs).toEqual([]);
  });

  it('keeps its place when a new run starts between pages', async () => {
    fake.legacy = true;
    const flow = 'GrowingFlow';
    fake.addFlow(flow, [1_000, 2_000, 3_000].map((ts, i) => ({ ts_epoch: ts, seq: i + 1 })));
    const first = await open().listRuns(flow, {}, { limit: 2, cursor: null });
    expect(first.runs.map((r) => r.id)).toEqual(['3', '2']);
    fake.addFlow(flow, [1_000, 2_000, 3_000, 4_000].map((ts, i) => ({ ts_epoch: ts, seq: i + 1 })));
    // A new source has no cached list: the cursor alone must say where the next page starts.
    const second = await open().listRuns(flow, {}, { limit: 2, cursor: first.next });
    expect(second.runs.map((r) => r.id)).toEqual(['1']);
  });
});

describe('both ways', () => {
  const queries: Array<[string, RunListQuery]> = [
    ['no filter', {}],
    ['one owner', { user: 'bob' }],
    ['two tags', { tags: ['nightly', 'team:ml'] }],
    ['owner and tag', { user: 'carol', tags: ['nightly'] }],
  ];

  it.each(queries)('give the same ordered runs for %s', async (_name, query) => {
    const paged = await pageThrough(open(), 'BigFlow', query, 17);
    fake.legacy = true;
    const listed = await pageThrough(open(), 'BigFlow', query, 17);
    expect(paged.ids.length).toBeGreaterThan(0);
    expect(listed.ids).toEqual(paged.ids);
    expect(listed.sizes).toEqual(paged.sizes);
    const times = paged.runs.map((r) => r.createdAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it.each([false, true])('match the owner as Metaflow names it, verified or not (legacy: %s)', async (legacy) => {
    fake.legacy = legacy;
    const source = open();
    const alice = await source.listRuns('OwnersFlow', { user: 'alice' }, { limit: 10, cursor: null });
    expect(alice.runs.map((r) => [r.id, r.user])).toEqual([
      ['argo-xyz', 'alice'],
      [expect.any(String), 'alice'],
    ]);
  });

  it.each([false, true])('match tags the service filter cannot express on our side (legacy: %s)', async (legacy) => {
    fake.legacy = legacy;
    const page = await open().listRuns('OwnersFlow', { tags: ['a,b', 'null'] }, { limit: 10, cursor: null });
    expect(page.runs.map((r) => r.tags)).toEqual([['a,b', 'null']]);
  });

  it.each([false, true])('order runs of the same millisecond by run id, newest first (legacy: %s)', async (legacy) => {
    fake.legacy = legacy;
    const { runs } = await pageThrough(open(), 'OwnersFlow', { user: 'bob' }, 1);
    expect(runs.map((r) => r.createdAt)).toEqual([3_000, 3_000]);
    expect(Number(runs[0].id)).toBeGreaterThan(Number(runs[1].id));
  });
});
