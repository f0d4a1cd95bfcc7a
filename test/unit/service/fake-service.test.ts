/** The fake metadata service answers like the recorded real one, and its synthetic flows page like it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { createServiceMetadataSource } from '../../../src/metaflow/service';
import { RECORDINGS, startFakeMetadataService, type FakeMetadataService } from '../../support/fake-metadata-service';

let fake: FakeMetadataService;

async function get(path: string) {
  const res = await request(fake.url + path);
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

beforeAll(async () => {
  fake = await startFakeMetadataService();
});

afterEach(() => {
  fake.legacy = false;
});

afterAll(async () => {
  await fake.close();
});

describe('replay', () => {
  it('serves a recorded call with its status, headers and body', async () => {
    const recorded = JSON.parse(readFileSync(join(RECORDINGS, 'GET_flows___limit=2.json'), 'utf8'));
    const answer = await get('/flows?_limit=2');
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({
      metadata_service_version: '2.5.1',
      'x-next-cursor': recorded.headers['X-Next-Cursor'],
      'content-type': 'text/plain; charset=utf-8',
    });
    expect(JSON.parse(answer.text)).toEqual(recorded.body);
    expect(await get('/ping')).toMatchObject({ status: 200, text: 'pong' });
    expect(await get('/flows/HelloFlow/runs?_cursor=not-a-cursor')).toMatchObject({ status: 400, text: '"Invalid cursor"' });
  });

  it('answers unknown objects with 404 {} and unknown lists with []', async () => {
    expect(await get('/flows/HelloFlow/runs/424242')).toMatchObject({ status: 404, text: '{}' });
    expect(await get('/flows/HelloFlow/runs/424242/steps')).toMatchObject({ status: 200, text: '[]' });
    expect(await get('/flows/HelloFlow/runs/1/steps/end/tasks/4/attempt/9/artifacts')).toMatchObject({ status: 200, text: '[]' });
  });

  it('plays an older service when legacy: no version header, no paging', async () => {
    fake.legacy = true;
    const ping = await get('/ping');
    expect(ping.headers.metadata_service_version).toBeUndefined();
    const runs = await get('/flows/HelloFlow/runs?_limit=1');
    expect(runs.headers['x-next-cursor']).toBeUndefined();
    expect(JSON.parse(runs.text)).toHaveLength(4);
  });
});

describe('synthetic flows', () => {
  it('serve a 5,000-run flow with real paging and added latency', async () => {
    fake.addSyntheticFlow('HugeFlow', { runs: 5000 });
    fake.latencyMs = 2;
    const source = createServiceMetadataSource({ url: fake.url });
    try {
      const seen = new Set<string>();
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await source.listRuns('HugeFlow', {}, { limit: 500, cursor });
        page.runs.forEach((r) => seen.add(r.id));
        cursor = page.next;
        pages += 1;
      } while (cursor);
      expect(seen.size).toBe(5000);
      expect(pages).toBe(10);
      const running = await source.listRuns('HugeFlow', { status: ['running'] }, { limit: 10, cursor: null });
      expect(running.runs).toHaveLength(1);
      const newest = running.runs[0];
      expect((await source.listSteps('HugeFlow', newest.id)).map((s) => s.name)).toEqual(['_parameters', 'start']);
      const attempts = await source.stepAttempts('HugeFlow', newest.id, 'start');
      expect([...attempts.values()]).toEqual([[expect.objectContaining({ attempt: 0, doneAt: null, ok: null })]]);
    } finally {
      fake.latencyMs = 0;
      await source.close();
    }
  });

  it('list next to the recorded flows', async () => {
    fake.addFlow('TinyFlow', [{ ts_epoch: 1 }]);
    const flows = JSON.parse((await get('/flows')).text) as Array<{ flow_id: string }>;
    expect(flows.map((f) => f.flow_id)).toEqual(expect.arrayContaining(['HelloFlow', 'FailFlow', 'TinyFlow']));
  });
});
