/**
 * Redis for tests: where it is (`REDIS_URL`, else the local default), whether it answers,
 * and removal of everything a test wrote under its prefix.
 */
import { spawnSync } from 'node:child_process';
import type { Redis } from 'ioredis';

export const REDIS_TEST_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

// Runs in a child process so that the answer is there synchronously, while jest collects tests.
const PROBE = `
const Redis = require(process.argv[1]);
const redis = new Redis(process.argv[2], { lazyConnect: true, connectTimeout: 2000, retryStrategy: () => null, maxRetriesPerRequest: 0 });
let cause = null;
redis.on('error', (error) => { cause = error; });
redis.connect().then(() => redis.ping()).then(
  () => { redis.disconnect(); process.exit(0); },
  (error) => { process.stderr.write((cause || error).message); process.exit(1); },
);
`;

/** Null when Redis at `url` answers PING; otherwise why not. */
export function redisUnreachable(url: string): string | null {
  const probe = spawnSync(process.execPath, ['-e', PROBE, require.resolve('ioredis'), url], { encoding: 'utf8', timeout: 10_000 });
  if (probe.status === 0) return null;
  return probe.stderr.trim() || probe.error?.message || `the probe exited with ${probe.status ?? probe.signal}`;
}

/** Deletes every key under `prefix:`. */
export async function deleteRedisKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
