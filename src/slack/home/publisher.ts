/**
 * Publishes App Home views. `app_home_opened` arrives every time a user opens the tab, so a user's
 * Home is built at most once per DEBOUNCE_MS (Refresh skips that), and a view identical to the
 * one the user has is not sent again. What was published is recognised by a hash kept in the
 * view itself (private_metadata, which Slack sends back with each event and click) as well as
 * here, so a restart or another replica still skips it. A build or publish that fails does not
 * count: the next open or Refresh tries again.
 */
import { createHash } from 'node:crypto';
import type { webApi } from '@slack/bolt';
import type { HomeView } from '@slack/types';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { PRIVATE_METADATA_MAX } from '../../../views/limits';

export const DEBOUNCE_MS = 10_000;

const VERSION = 'h1';
const homeMetadata = z.strictObject({ h: z.string().regex(/^[0-9a-f]{16}$/), c: z.string().regex(/^[A-Z0-9]{1,30}$/).optional() });

export interface HomeMetadata {
  /** Of the view's content, as published. */
  hash: string;
  /** The user's DM with the bot, where files asked for from Home are posted. */
  channel: string | null;
}

export function writeHomeMetadata({ hash, channel }: HomeMetadata): string {
  return VERSION + JSON.stringify(channel === null ? { h: hash } : { h: hash, c: channel });
}

export function readHomeMetadata(text: string | undefined): HomeMetadata | null {
  if (!text?.startsWith(VERSION) || text.length > PRIVATE_METADATA_MAX) return null;
  try {
    const parsed = homeMetadata.safeParse(JSON.parse(text.slice(VERSION.length)));
    return parsed.success ? { hash: parsed.data.h, channel: parsed.data.c ?? null } : null;
  } catch {
    return null;
  }
}

function contentHash(view: HomeView, channel: string | null): string {
  return createHash('sha256').update(JSON.stringify([view.blocks, channel])).digest('hex').slice(0, 16);
}

export type PublishOutcome = 'published' | 'debounced' | 'unchanged';

export interface PublishRequest {
  userId: string;
  /** The user's DM with the bot, when known. */
  channel: string | null;
  /** Refresh: build now, whenever the last build was. */
  force: boolean;
  /** The private_metadata of the Home view the user has, when Slack sent it. */
  current: string | undefined;
  /** Builds the view (private_metadata is set here). */
  build: () => Promise<HomeView>;
  client: webApi.WebClient;
}

/** A user's last build: when it started, and the hash of what they were shown, if known. */
interface Published {
  at: number;
  hash: string | null;
}

export class HomePublisher {
  private readonly last = new LRUCache<string, Published>({ max: 10_000 });

  constructor(private readonly now: () => number = Date.now) {}

  async publish({ userId, channel, force, current, build, client }: PublishRequest): Promise<PublishOutcome> {
    const now = this.now();
    const last = this.last.get(userId);
    if (!force && last && now - last.at < DEBOUNCE_MS) return 'debounced';
    // Claimed before the (slow) build, so opening the tab twice at once builds it once.
    const claim: Published = { at: now, hash: last?.hash ?? null };
    this.last.set(userId, claim);
    try {
      const view = await build();
      const known = readHomeMetadata(current);
      const where = channel ?? known?.channel ?? null;
      const hash = contentHash(view, where);
      if (hash === (last?.hash ?? known?.hash)) return 'unchanged';
      await client.views.publish({ user_id: userId, view: { ...view, private_metadata: writeHomeMetadata({ hash, channel: where }) } });
      this.last.set(userId, { at: now, hash });
      return 'published';
    } catch (err) {
      // The user got no Home from this attempt, so it must not hold off the next one; what they
      // were last shown is still recognised by the hash in their view's private_metadata.
      if (this.last.get(userId) === claim) this.last.delete(userId);
      throw err;
    }
  }
}
