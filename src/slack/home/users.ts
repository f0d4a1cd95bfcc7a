/**
 * Which Metaflow user a Slack user is, for "my runs" and the "Mine" filter. Metaflow records
 * `$USER` or the local part of an email address, so the default rule takes the Slack
 * profile's email (users.info, scopes users:read and users:read.email); `handle` takes the
 * Slack handle; `map` only the explicit map, whose entries win under every rule.
 */
import type { Logger, webApi } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import { DEFAULT_USER_MAPPING, type UserMapping } from '../deps';

/** People rarely change their email or handle; an hour keeps users.info calls rare. */
const TTL_MS = 60 * 60 * 1000;

interface Known {
  name: string | null;
}

export class MetaflowUsers {
  private readonly known = new LRUCache<string, Known>({ max: 10_000, ttl: TTL_MS });

  constructor(readonly mapping: UserMapping = DEFAULT_USER_MAPPING) {}

  /** The Metaflow user of `slackUser`, or null when the rule finds none. */
  async of(slackUser: string, client: webApi.WebClient, logger: Logger): Promise<string | null> {
    const mapped = this.mapping.map[slackUser];
    if (mapped !== undefined) return mapped;
    if (this.mapping.rule === 'map') return null;
    const cached = this.known.get(slackUser);
    if (cached) return cached.name;
    let name: string | null = null;
    try {
      const { user } = await client.users.info({ user: slackUser });
      name = this.mapping.rule === 'email' ? (user?.profile?.email?.split('@')[0] ?? null) : (user?.name ?? null);
    } catch (err) {
      // Without the user (a missing scope, Slack down) there is no "mine"; the rest still works.
      logger.warn(`Could not look up Slack user ${slackUser}:`, err);
      return null;
    }
    this.known.set(slackUser, { name: name || null });
    return name || null;
  }
}
