/**
 * Answers each message once. Slack redelivers an event it thinks failed (`X-Slack-Retry-Num`,
 * Bolt's `context.retryNum`) with the same event_id, and a mention in a direct message can
 * arrive both as app_mention and as message.im with different event_ids but the same message.
 * A redelivery of an event this process never saw is still answered: its first delivery may
 * have been lost.
 */
import type { Middleware, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { LRUCache } from 'lru-cache';

export function onlyOnce(seen: LRUCache<string, true>): Middleware<SlackEventMiddlewareArgs> {
  return async ({ body, event, context, logger, next }) => {
    const ids = [`event:${body.event_id}`];
    const where = event as { channel?: unknown; ts?: unknown };
    if (typeof where.channel === 'string' && typeof where.ts === 'string') ids.push(`message:${where.channel}:${where.ts}`);
    if (ids.some((id) => seen.has(id))) {
      logger.debug(`Skipping event ${body.event_id} (retry ${context.retryNum ?? 0}): already answered`);
      return;
    }
    for (const id of ids) seen.set(id, true);
    await next();
  };
}
