/** Chooses and opens the state store: from explicit options, or from the environment. */
import { resolve } from 'node:path';
import { MemoryStateStore } from './memory';
import { DEFAULT_REDIS_PREFIX, redisLocation, RedisStateStore } from './redis/store';
import { SqliteStateStore } from './sqlite/store';
import type { StateStore } from './store';

export type StateStoreOptions = { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string; prefix?: string } | { kind: 'memory' };

/** Relative to the working directory, like Metaflow's own `.metaflow`; .gitignore lists it. */
export const DEFAULT_STATE_PATH = '.metaflowbot/state.db';

/**
 * `REDIS_URL` set: Redis, for replicas on several hosts (`METAFLOWBOT_STATE_PREFIX` keeps
 * several bots apart in one Redis). Otherwise a SQLite file: `METAFLOWBOT_STATE_PATH`, or
 * `.metaflowbot/state.db` under `cwd`.
 */
export function stateStoreOptionsFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): StateStoreOptions {
  if (env.REDIS_URL) return { kind: 'redis', url: env.REDIS_URL, prefix: env.METAFLOWBOT_STATE_PREFIX || DEFAULT_REDIS_PREFIX };
  return { kind: 'sqlite', path: resolve(cwd, env.METAFLOWBOT_STATE_PATH || DEFAULT_STATE_PATH) };
}

/** One line for the startup banner, without credentials. */
export function describeStateStore(options: StateStoreOptions): string {
  switch (options.kind) {
    case 'sqlite':
      return `SQLite ${options.path}`;
    case 'redis':
      return `Redis ${redisLocation(options.url, options.prefix ?? DEFAULT_REDIS_PREFIX)}`;
    case 'memory':
      return 'memory (not kept across restarts)';
  }
}

export async function openStateStore(options: StateStoreOptions): Promise<StateStore> {
  switch (options.kind) {
    case 'sqlite':
      return new SqliteStateStore(options.path);
    case 'redis':
      return RedisStateStore.open(options.url, options.prefix);
    case 'memory':
      return new MemoryStateStore();
  }
}

export function stateStoreFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<StateStore> {
  return openStateStore(stateStoreOptionsFromEnv(env, cwd));
}
