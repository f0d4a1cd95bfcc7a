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

export type UserRule = UserMapping['rule'];

/** A Metaflow user name and the rule that found it. */
export interface Match {
  name: string;
  by: UserRule;
}

export class MetaflowUsers {
  private readonly known = new LRUCache<string, { match: Match | null }>({ max: 10_000, ttl: TTL_MS });

  constructor(readonly mapping: UserMapping = DEFAULT_USER_MAPPING) {}

  /** The Metaflow user of `slackUser`, or null when the rule finds none. */
  async match(slackUser: string, client: webApi.WebClient, logger: Logger): Promise<Match | null> {
    const mapped = this.mapping.map[slackUser];
    if (mapped !== undefined) return { name: mapped, by: 'map' };
    const rule = this.mapping.rule;
    if (rule === 'map') return null;
    const cached = this.known.get(slackUser);
    if (cached) return cached.match;
    let name: string | undefined;
    try {
      const { user } = await client.users.info({ user: slackUser });
      name = rule === 'email' ? user?.profile?.email?.split('@')[0] : user?.name;
    } catch (err) {
      // Without the user (a missing scope, Slack down) there is no "mine"; the rest still works.
      logger.warn(`Could not look up Slack user ${slackUser}:`, err);
      return null;
    }
    const match = name ? { name, by: rule } : null;
    this.known.set(slackUser, { match });
    return match;
  }
}
