import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStateStore } from '../../../src/state/memory';
import { SqliteStateStore } from '../../../src/state/sqlite/store';
import { claimInWorkers } from './claim-workers';
import { stateStoreContract, type StoreBackend } from './contract';

const dir = mkdtempSync(join(tmpdir(), 'metaflowbot-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
let path = '';

/** Opens the file directly, as an older or newer metaflowbot would have written it. */
function raw<T>(write: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return write(db);
  } finally {
    db.close();
  }
}

const backend: StoreBackend = {
  open: async () => new SqliteStateStore(path),
  fresh: async () => {
    // A folder that does not exist yet: opening creates it.
    path = join(dir, String(++n), 'nested', 'state.db');
  },
  writeV1: async (conversations) => {
    mkdirSync(dirname(path), { recursive: true });
    raw((db) => {
      db.exec('CREATE TABLE conversations (id TEXT PRIMARY KEY, pathspec TEXT NOT NULL) WITHOUT ROWID');
      const insert = db.prepare('INSERT INTO conversations (id, pathspec) VALUES (?, ?)');
      for (const [id, pathspec] of Object.entries(conversations)) insert.run(id, pathspec);
      db.pragma('user_version = 1');
    });
  },
  setSchemaVersion: async (version) => {
    raw((db) => db.pragma(`user_version = ${version}`));
  },
  schemaVersion: async () => raw((db) => db.pragma('user_version', { simple: true }) as number),
};

describe('SqliteStateStore', () => {
  stateStoreContract(backend);
});

describe('SqliteStateStore on its own', () => {
  beforeEach(() => backend.fresh());

  it('uses WAL, so replicas read while one writes', async () => {
    const store = new SqliteStateStore(path);
    await store.close();
    expect(raw((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('never gives one item to two threads claiming at the same instant', async () => {
    const store = new SqliteStateStore(path);
    const runs = Array.from({ length: 400 }, (_, i) => `F/${i}`);
    for (const run of runs) await store.enqueue({ channel: 'C1', run, transition: 'started', payload: null });
    const claims = await claimInWorkers(path, 4, 2);
    const all = claims.flat();
    expect(all.filter((run) => !run.startsWith('F/'))).toEqual([]);
    expect(all.sort()).toEqual([...runs].sort());
    expect(new Set(all).size).toBe(runs.length);
    expect(await store.counts()).toEqual({ pending: 0, inflight: runs.length, posted: 0, abandoned: 0 });
    await store.close();
  });

  it('names the file when it cannot open it', () => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'not a database, just text that is long enough to have a header page');
    expect(() => new SqliteStateStore(path)).toThrow(`cannot open the state store ${path}: file is not a database`);
  });
});

describe('MemoryStateStore', () => {
  it('is a full store of its own, shared with no other', async () => {
    const a = new MemoryStateStore();
    const b = new MemoryStateStore();
    await a.setCurrentRun({ channel: 'C1' }, 'F/1');
    expect(await a.enqueue({ channel: 'C1', run: 'F/1', transition: 'started', payload: {} })).toBe(true);
    expect(await a.acquireLeadership('a', 60_000)).toBe(true);
    expect(await b.currentRun({ channel: 'C1' })).toBeNull();
    expect(await b.enqueue({ channel: 'C1', run: 'F/1', transition: 'started', payload: {} })).toBe(true);
    expect(await b.acquireLeadership('b', 60_000)).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });
});
