/**
 * Run status over the metadata service, where heartbeats are the sign of life: a run whose end
 * step has no attempt is running while its newest heartbeat is recent, and lost once that is
 * older than the cutoff. The service writes `last_heartbeat_ts` in seconds and `ts_epoch` in ms.
 * Runs are served by the fake service; one is SlowFlow run 11 exactly as the real service listed
 * it while it ran (the while-running recording).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientCache } from '../../src/metaflow/cache';
import { MetaflowClient } from '../../src/metaflow/client';
import { LocalDatastore } from '../../src/metaflow/datastore/local';
import { createServiceMetadataSource, type ServiceMetadataSource } from '../../src/metaflow/service';
import { RECORDINGS, startFakeMetadataService, type FakeMetadataService, type FakeRun } from '../support/fake-metadata-service';

const WHILE_RUNNING = join(RECORDINGS, 'while-running', 'metadata');

/** A run row as the service lists it. */
interface ServiceRun {
  run_number: number;
  ts_epoch: number;
  user_name: string;
  user: string;
  tags: string[];
  system_tags: string[];
  last_heartbeat_ts: number;
}

function recorded(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(WHILE_RUNNING, file), 'utf8')) as Record<string, unknown>;
}

const RECORDED_AT = recorded('index.json').recorded_at_epoch_ms as number;
const SLOW_RUN_11 = (recorded('GET_flows_SlowFlow_runs.json').body as ServiceRun[]).find((r) => r.run_number === 11) as ServiceRun;

const NOW = Date.parse('2026-12-01T12:00:00Z');
const MINUTE = 60_000;
const seconds = (ms: number): number => Math.floor(ms / 1000);

let fake: FakeMetadataService;
let source: ServiceMetadataSource;
let beating: Record<'alive' | 'silent' | 'never', FakeRun>;

beforeAll(async () => {
  fake = await startFakeMetadataService({ recordings: false, now: () => NOW });
  source = createServiceMetadataSource({ url: fake.url, retryBaseDelayMs: 5 });
  const { run_number: seq, ...row } = SLOW_RUN_11;
  fake.addFlow('SlowFlow', [{ ...row, seq, status: 'running' }]);
  // Started an hour ago, so that only the heartbeat can say they are alive.
  const started = NOW - 60 * MINUTE;
  const [alive, silent, never] = fake.addFlow('BeatFlow', [
    { seq: 1, ts_epoch: started, last_heartbeat_ts: seconds(NOW - 5 * MINUTE), status: 'running' },
    { seq: 2, ts_epoch: started + 1, last_heartbeat_ts: seconds(NOW - 7 * MINUTE), status: 'running' },
    { seq: 3, ts_epoch: started + 2, last_heartbeat_ts: null, status: 'running' },
  ]);
  beating = { alive, silent, never };
});

afterAll(async () => {
  await source?.close();
  await fake?.close();
});

function client(at: number, lostAfterMs?: number): { client: MetaflowClient; later(ms: number): void } {
  const clock = { now: at };
  const now = (): number => clock.now;
  return {
    client: new MetaflowClient({
      metadata: source,
      datastore: new LocalDatastore(join(RECORDINGS, 'datastore', 'metaflow-fixtures', 'metaflow')),
      now,
      lostAfterMs,
      cache: new ClientCache({ now }),
    }),
    later: (ms) => {
      clock.now += ms;
    },
  };
}

async function statuses(c: MetaflowClient, flow: string): Promise<Record<string, string>> {
  const listed = Object.fromEntries((await c.listRuns(flow)).items.map((r) => [r.id, r.status]));
  for (const [id, status] of Object.entries(listed)) expect((await c.getRun(flow, id)).status).toBe(status);
  return listed;
}

describe('a service run with no end attempt', () => {
  it('is running while its last heartbeat is within the cutoff, lost once older, by the default 6 minutes', async () => {
    expect(await statuses(client(NOW).client, 'BeatFlow')).toEqual({ '1': 'running', '2': 'lost', '3': 'lost' });
    const run = await client(NOW).client.getRun('BeatFlow', '1');
    expect(run.lastSeenAt).toBe(seconds(NOW - 5 * MINUTE) * 1000);
    expect(run.finishedAt).toBeNull();
  });

  it('honours a configured cutoff', async () => {
    expect(await statuses(client(NOW, 8 * MINUTE).client, 'BeatFlow')).toEqual({ '1': 'running', '2': 'running', '3': 'lost' });
  });

  it('reads the recorded heartbeat of SlowFlow run 11 in seconds against creation in ms', async () => {
    // Recorded 20 s after the run was created and 8 s after its last heartbeat.
    expect(RECORDED_AT - SLOW_RUN_11.ts_epoch).toBeGreaterThan(15_000);
    expect(RECORDED_AT - SLOW_RUN_11.last_heartbeat_ts * 1000).toBeLessThan(15_000);
    expect(await statuses(client(RECORDED_AT, 15_000).client, 'SlowFlow')).toEqual({ '11': 'running' });
    expect(await statuses(client(SLOW_RUN_11.last_heartbeat_ts * 1000 + MINUTE, 15_000).client, 'SlowFlow')).toEqual({ '11': 'lost' });
  });

  it('is running again for the same client once its heartbeat comes back', async () => {
    const { client: c, later } = client(NOW);
    expect((await c.getRun('BeatFlow', '2')).status).toBe('lost');
    const before = beating.silent.last_heartbeat_ts;
    beating.silent.last_heartbeat_ts = seconds(NOW);
    try {
      later(10_000);
      expect((await c.getRun('BeatFlow', '2')).status).toBe('running');
      expect((await c.listRuns('BeatFlow')).items.find((r) => r.id === '2')?.status).toBe('running');
    } finally {
      beating.silent.last_heartbeat_ts = before;
    }
  });
});
