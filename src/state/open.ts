/** Chooses and opens the state store: from explicit options, from settings, or from the environment. */
import { MemoryStateStore } from './memory';
import { DEFAULT_REDIS_PREFIX, redisLocation, RedisStateStore } from './redis/store';
import { SqliteStateStore } from './sqlite/store';
import type { StateStore } from './store';

export type StateStoreOptions = { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string; prefix?: string } | { kind: 'memory' };

/** Relative to the working directory, like Metaflow's own `.metaflow`; .gitignore lists it. */
export const DEFAULT_STATE_PATH = './.metaflowbot/state.db';

/** The bot's settings for state (`BotConfig.state`). */
export interface StateSettings {
  redisUrl: string | null;
  path: string;
}

/** Redis when a URL is set, for replicas on several hosts; else a SQLite file, for one host. */
export function stateStoreOptions(settings: StateSettings): StateStoreOptions {
  return settings.redisUrl ? { kind: 'redis', url: settings.redisUrl } : { kind: 'sqlite', path: settings.path };
}

/** One line for the startup banner, without credentials. */
export function describeStateStore(options: StateStoreOptions): string {
  switch (options.kind) {
    case 'sqlite':
      return `SQLite ${options.path}`;
    case 'redis':
      return `Redis ${redisLocation(options.url, options.prefix ?? DEFAULT_REDIS_PREFIX)}`;
    case 'memory':
      return 'memory (lost on restart)';
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

/** `REDIS_URL` set: Redis; otherwise SQLite at `METAFLOWBOT_STATE_PATH` or `./.metaflowbot/state.db`. */
export function stateStoreFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<StateStore> {
  return openStateStore(stateStoreOptions({ redisUrl: env.REDIS_URL || null, path: env.METAFLOWBOT_STATE_PATH || DEFAULT_STATE_PATH }));
}
