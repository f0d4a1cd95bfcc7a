/**
 * Which channels a Slack user is in, so App Home shows the watched flows of *their* channels
 * (users.conversations; scopes channels:read and groups:read). Slack lists a private channel
 * only when the bot is in it too, which every channel a notice is posted to is.
 */
import type { Logger, webApi } from '@slack/bolt';
import { LRUCache } from 'lru-cache';

/** Joining or leaving a channel shows on App Home within this long. */
const TTL_MS = 5 * 60 * 1000;
/** Slack's largest page for users.conversations. */
const PAGE = 1000;
/** Pages read at most: 20,000 channels for one person is beyond any real workspace. */
const MAX_PAGES = 20;

export class UserChannels {
  private readonly known = new LRUCache<string, ReadonlySet<string>>({ max: 10_000, ttl: TTL_MS });

  /** The ids of the channels `user` is in, or null when Slack will not say (a missing scope, Slack down). */
  async of(user: string, client: webApi.WebClient, logger: Logger): Promise<ReadonlySet<string> | null> {
    const cached = this.known.get(user);
    if (cached) return cached;
    const ids = new Set<string>();
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await client.users.conversations({ user, types: 'public_channel,private_channel', exclude_archived: true, limit: PAGE, cursor });
        for (const channel of answer.channels ?? []) if (channel.id) ids.add(channel.id);
        cursor = answer.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
    } catch (err) {
      logger.warn(`Could not list the channels of Slack user ${user}:`, err);
      return null;
    }
    this.known.set(user, ids);
    return ids;
  }
}
