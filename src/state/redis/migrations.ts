/**
 * The Redis layout, as ordered migrations; `<prefix>:schema` holds the version reached (none:
 * an empty store). Each migration commits with its version bump in one MULTI, under WATCH of
 * the schema key and of the keys it reads, so replicas opening the store together apply it
 * once, and a crash between migrations resumes at the next one.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { checkNotNewer } from '../schema';
import type { RedisKeys } from './keys';

interface Migration {
  to: number;
  /** Keys `plan` reads: a change to them by someone else makes the migration start over. */
  reads(prefix: string): string[];
  /** Reads what it needs, then queues its writes on `tx`. */
  plan(redis: Redis, prefix: string, keys: RedisKeys, tx: ChainableCommander): Promise<void>;
}

/** v1 kept only conversations' current runs, in one hash. */
const v1Conversations = (prefix: string): string => `${prefix}:conversations`;

const MIGRATIONS: Migration[] = [
  {
    to: 2,
    reads: (prefix) => [v1Conversations(prefix)],
    async plan(redis, prefix, keys, tx) {
      const old = await redis.hgetall(v1Conversations(prefix));
      const moved = Object.entries(old).flatMap(([conversation, pathspec]) => [`conv:${conversation}`, pathspec]);
      if (moved.length > 0) tx.hset(keys.current, ...moved);
      tx.del(v1Conversations(prefix));
    },
  },
  {
    // Answers under way live in keys of their own: nothing to convert, the step only marks the layout.
    to: 3,
    reads: () => [],
    plan: async () => undefined,
  },
];

async function schemaVersion(redis: Redis, keys: RedisKeys, where: string): Promise<number> {
  const raw = await redis.get(keys.schema);
  if (raw === null) return 0;
  if (!/^\d+$/.test(raw)) throw new Error(`${where}: ${keys.schema} holds ${JSON.stringify(raw)}, not a schema version: is this prefix used by another application?`);
  return Number(raw);
}

export async function migrate(redis: Redis, prefix: string, keys: RedisKeys, where: string): Promise<void> {
  for (;;) {
    await redis.watch(keys.schema);
    const from = await schemaVersion(redis, keys, where);
    const next = MIGRATIONS.find((m) => m.to > from);
    if (next === undefined) {
      await redis.unwatch();
      checkNotNewer(from, where);
      return;
    }
    const reads = next.reads(prefix);
    // WATCH with no keys is an error.
    if (reads.length > 0) await redis.watch(...reads);
    const tx = redis.multi();
    await next.plan(redis, prefix, keys, tx);
    tx.set(keys.schema, String(next.to));
    // null: someone changed what this migration read, so it starts over from a fresh read.
    const results = await tx.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw new Error(`${where}: migration to v${next.to} failed: ${failed[0]!.message}`);
  }
}
