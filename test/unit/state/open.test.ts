import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStateStore } from '../../../src/state/memory';
import { describeStateStore, openStateStore, stateStoreFromEnv, stateStoreOptions } from '../../../src/state/open';
import { SqliteStateStore } from '../../../src/state/sqlite/store';

describe('choosing the state store', () => {
  it('takes Redis when a URL is set, else the SQLite file', () => {
    expect(stateStoreOptions({ redisUrl: 'redis://r:6379', path: 'x.db' })).toEqual({ kind: 'redis', url: 'redis://r:6379' });
    expect(stateStoreOptions({ redisUrl: null, path: 'x.db' })).toEqual({ kind: 'sqlite', path: 'x.db' });
  });

  it('describes the store without its password', () => {
    expect(describeStateStore({ kind: 'redis', url: 'redis://:hunter2@r:6379/1' })).toBe('Redis redis://:***@r:6379/1 (prefix "metaflowbot")');
    expect(describeStateStore({ kind: 'redis', url: 'rediss://u:p@r', prefix: 'bot2' })).toBe('Redis rediss://u:***@r (prefix "bot2")');
    expect(describeStateStore({ kind: 'sqlite', path: '/var/lib/mfb/state.db' })).toBe('SQLite /var/lib/mfb/state.db');
    expect(describeStateStore({ kind: 'memory' })).toBe('memory (lost on restart)');
  });

  it('opens each kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metaflowbot-open-'));
    try {
      const memory = await openStateStore({ kind: 'memory' });
      expect(memory).toBeInstanceOf(MemoryStateStore);
      await memory.close();
      const path = join(dir, 'env', 'state.db');
      const sqlite = await stateStoreFromEnv({ METAFLOWBOT_STATE_PATH: path });
      expect(sqlite).toBeInstanceOf(SqliteStateStore);
      expect(existsSync(path)).toBe(true);
      await sqlite.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which Redis it cannot reach, without its password', async () => {
    const opening = stateStoreFromEnv({ REDIS_URL: 'redis://:hunter2@127.0.0.1:1', METAFLOWBOT_STATE_PATH: '/nonexistent/never.db' });
    await expect(opening).rejects.toThrow('cannot reach Redis at redis://:***@127.0.0.1:1 (prefix "metaflowbot"): connect ECONNREFUSED 127.0.0.1:1');
  });
});
