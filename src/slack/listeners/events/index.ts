import type { App } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import type { ListenerDeps } from '../deps';
import { appHomeOpened } from './app_home_opened';
import { appMention } from './app_mention';
import { onlyOnce } from './dedupe';
import { linkShared } from './link_shared';
import { message } from './message';

/** Slack retries a delivery for up to about 6 minutes; 10 covers it with room to spare. */
const SEEN_TTL_MS = 10 * 60 * 1000;

export function register(app: App, deps: ListenerDeps): void {
  const seen = new LRUCache<string, true>({ max: 10_000, ttl: SEEN_TTL_MS });
  app.event('app_mention', onlyOnce(seen), appMention(deps));
  app.event('message', onlyOnce(seen), message(deps));
  app.event('app_home_opened', onlyOnce(seen), appHomeOpened(deps));
  app.event('link_shared', onlyOnce(seen), linkShared(deps));
}
