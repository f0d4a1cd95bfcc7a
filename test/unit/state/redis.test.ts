import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { runScript } from '../../../src/state/redis/scripts';
import { RedisStateStore } from '../../../src/state/redis/store';
import { deleteRedisKeys, REDIS_TEST_URL, redisUnreachable } from '../../support/redis';
import { stateStoreContract, type StoreBackend } from './contract';

const unreachable = redisUnreachable(REDIS_TEST_URL);
if (unreachable && process.env.CI) {
  throw new Error(`The Redis state tests need Redis at ${REDIS_TEST_URL} and CI is set, so they may not be skipped: ${unreachable}`);
}
if (unreachable) {
  process.stderr.write(`Skipping the Redis state tests: they need Redis on 127.0.0.1:6379 (or REDIS_URL); ${REDIS_TEST_URL}: ${unreachable}\n`);
}

/** Unique to this test file, so parallel runs and other users of the Redis stay apart. */
const base = `metaflowbot-test:${randomUUID()}`;
let prefix = '';
let n = 0;
let admin: Redis;

const backend: StoreBackend = {
  open: () => RedisStateStore.open(REDIS_TEST_URL, prefix),
  fresh: async () => {
    prefix = `${base}:${++n}`;
  },
  writeV1: async (conversations) => {
    if (Object.keys(conversations).length > 0) await admin.hset(`${prefix}:conversations`, conversations);
    await admin.set(`${prefix}:schema`, '1');
  },
  setSchemaVersion: async (version) => {
    await admin.set(`${prefix}:schema`, String(version));
  },
  schemaVersion: async () => Number(await admin.get(`${prefix}:schema`)),
};

(unreachable ? describe.skip : describe)('RedisStateStore', () => {
  beforeAll(() => {
    admin = new Redis(REDIS_TEST_URL);
  });

  afterAll(async () => {
    await deleteRedisKeys(admin, base);
    await admin.quit();
  });

  stateStoreContract(backend);

  describe('on its own', () => {
    beforeEach(() => backend.fresh());

    it('keeps prefixes apart', async () => {
      const a = await RedisStateStore.open(REDIS_TEST_URL, `${prefix}:a`);
      const b = await RedisStateStore.open(REDIS_TEST_URL, `${prefix}:b`);
      await a.setCurrentRun({ channel: 'C1' }, 'F/1');
      await a.enqueue({ channel: 'C1', run: 'F/1', transition: 'started', payload: null });
      expect(await b.currentRun({ channel: 'C1' })).toBeNull();
      expect(await b.claimPending('w', 10, 60_000)).toEqual([]);
      await Promise.all([a.close(), b.close()]);
    });

    it('shares posting turns between replicas', async () => {
      const [a, b] = [await RedisStateStore.open(REDIS_TEST_URL, prefix), await RedisStateStore.open(REDIS_TEST_URL, prefix)];
      expect(await a.takePostTurn('C1', 60_000)).toBe(0);
      expect(await b.takePostTurn('C1', 60_000)).toBeGreaterThan(50_000);
      await Promise.all([a.close(), b.close()]);
    });

    it('refuses a prefix whose schema key is not a version', async () => {
      await admin.set(`${prefix}:schema`, 'hello');
      await expect(RedisStateStore.open(REDIS_TEST_URL, prefix)).rejects.toThrow(`${prefix}:schema holds "hello", not a schema version`);
    });

    it('sends a script that Redis has not cached yet, then runs it by its digest', async () => {
      // A script no Redis has seen, rather than SCRIPT FLUSH, which would touch every user of this Redis.
      const lua = `-- ${randomUUID()}\nreturn ARGV[1] .. ARGV[2]`;
      const script = { lua, sha: createHash('sha1').update(lua).digest('hex') };
      expect(await admin.script('EXISTS', script.sha)).toEqual([0]);
      expect(await runScript(admin, script, 'p', ['x'])).toBe('px');
      expect(await admin.script('EXISTS', script.sha)).toEqual([1]);
      expect(await runScript(admin, script, 'q', ['y'])).toBe('qy');
    });
  });
});
