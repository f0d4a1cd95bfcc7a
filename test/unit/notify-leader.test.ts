/** The leader lock between replicas: two stores on one SQLite file, as two processes on a host. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Leadership } from '../../src/notify/leader';
import { createLogger } from '../../src/observability/logger';
import { SqliteStateStore } from '../../src/state/sqlite/store';

const TTL = 600;
let dir: string;
let stores: SqliteStateStore[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'metaflowbot-leader-'));
  stores = [];
});

afterEach(async () => {
  for (const s of stores) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

function store(): SqliteStateStore {
  const s = new SqliteStateStore(join(dir, 'state.db'));
  stores.push(s);
  return s;
}

interface Replica {
  leadership: Leadership;
  events: string[];
  electedAt: number | null;
}

function replica(owner: string, state = store()): Replica {
  const r: Replica = { leadership: null as unknown as Leadership, events: [], electedAt: null };
  r.leadership = new Leadership({
    state,
    owner,
    ttlMs: TTL,
    logger: createLogger('silent'),
    onElected: () => {
      r.events.push('elected');
      r.electedAt = Date.now();
    },
    onDeposed: async () => {
      r.events.push('deposed');
    },
  });
  return r;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

describe('Leadership', () => {
  it('elects one replica, keeps it while it renews, and hands over at once when it stops', async () => {
    const a = replica('A');
    const b = replica('B');
    a.leadership.start();
    await until(() => a.events.includes('elected'));
    b.leadership.start();
    // Several ttls: A renews, B never gets in.
    await sleep(3 * TTL);
    expect(b.events).toEqual([]);
    expect(await stores[0].leader()).toBe('A');
    const stopped = Date.now();
    await a.leadership.stop();
    expect(a.events).toEqual(['elected', 'deposed']);
    await until(() => b.events.includes('elected'));
    expect(b.electedAt! - stopped).toBeLessThan(TTL / 10 + 200);
    await b.leadership.stop();
  });

  it('takes over from a dead leader once its lock expires', async () => {
    const state = store();
    await state.acquireLeadership('dead', TTL);
    const taken = Date.now();
    const b = replica('B', state);
    b.leadership.start();
    await until(() => b.events.includes('elected'));
    const after = b.electedAt! - taken;
    expect(after).toBeGreaterThanOrEqual(TTL - 50);
    expect(after).toBeLessThan(TTL + TTL / 10 + 200);
    await b.leadership.stop();
  });

  it('stops leading when a renewal fails', async () => {
    const state = store();
    const a = replica('A', state);
    a.leadership.start();
    await until(() => a.events.includes('elected'));
    // Another replica got the lock (A was paused past its ttl, say).
    await state.releaseLeadership('A');
    await state.acquireLeadership('C', 60_000);
    await until(() => a.events.includes('deposed'));
    expect(await state.leader()).toBe('C');
    await a.leadership.stop();
    expect(a.events).toEqual(['elected', 'deposed']);
  });
});
