/**
 * Posts what the outbox holds. Every replica runs one: claims are atomic and leased, so two
 * posters never hold the same item, and a dead poster's items come back when their lease ends.
 *
 * Per item: intent was recorded by the watcher; the poster posts (a new card, or an edit of the
 * card and a reply in its thread), then records the result (`markPosted`). A crash between
 * the post and that record is the one way to post twice: the item is claimed again once its
 * lease expires and posted again. Finding the earlier message first would close that window,
 * but the only way to look is conversations.history/replies, which need history scopes over
 * every channel the bot is in and are limited to one request a minute for apps outside the
 * Slack Marketplace (slack-platform.md §2.7). So the bound stays: at most one duplicate per
 * crash (or per post that timed out yet went through), only on a claim with `attempts > 1`.
 * Each post carries message metadata naming its key, for anyone who does look.
 *
 * Slack allows about one message per second per channel: posts to a channel are spaced at
 * least `channelIntervalMs` from the end of the previous one, and a 429 pauses the channel for
 * its Retry-After (the item is handed back with that retry time, never retried in a loop).
 */
import { webApi } from '@slack/bolt';
import type { Metrics } from '../observability/metrics';
import type { Logger } from '../observability/logger';
import type { Notification, NotificationKey, PostedMessage, StateStore } from '../state/store';
import type { SlackMessage } from '../../views/components/message';
import { runCard, runNotice, threadNotice, type NoticeInput } from '../../views/notifications/run';
import { Loop } from './loop';
import { readPayload } from './payload';

/** Slack calls per item at most: an edit of the card and a reply in its thread. */
export const CALLS_PER_ITEM = 2;
/** Retries after a failed post back off exponentially up to this. */
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 5 * 60 * 1000;
/** A run notice this late is no longer news: retrying stops. */
const GIVE_UP_AFTER_MS = 60 * 60 * 1000;
/** Slack errors a retry can fix; every other `ok: false` answer will not change. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);
/** Recording a post is retried in place: giving up turns a successful post into a duplicate. */
const RECORD_TRIES = 3;
const RECORD_PAUSE_MS = 200;

export const METADATA_EVENT = 'metaflow_run_notification';

export interface PosterOptions {
  state: StateStore;
  slack: webApi.WebClient;
  /** This replica: the owner of its claims. */
  owner: string;
  uiUrl: string | null;
  lostAfterMs: number;
  leaseMs: number;
  /** Items claimed at once; the lease must cover posting all of them (notify/index.ts). */
  claimLimit: number;
  /** How long an idle poster waits before it looks for due items again. */
  idleMs: number;
  channelIntervalMs: number;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function keyOf(n: Notification): NotificationKey {
  return { channel: n.channel, run: n.run, transition: n.transition };
}

function slackErrorCode(err: unknown): string | null {
  return err instanceof webApi.WebAPIPlatformError ? err.data.error : null;
}

function describe(err: unknown): string {
  const code = slackErrorCode(err);
  if (code !== null) return code;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export class Poster {
  private readonly loop: Loop;
  /** Per channel: when the next post may go out (pacing, or a 429's Retry-After). */
  private readonly nextPost = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: PosterOptions) {
    this.now = opts.now ?? Date.now;
    this.loop = new Loop(
      () => this.round(),
      (err) => {
        opts.logger.error({ err }, 'notification poster: could not claim');
        return opts.idleMs;
      },
    );
  }

  start(): void {
    this.loop.start();
  }

  /** Something was enqueued: look now rather than at the next idle round. */
  nudge(): void {
    this.loop.nudge();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async round(): Promise<number> {
    const { state, owner, leaseMs, claimLimit, idleMs } = this.opts;
    const items = await state.claimPending(owner, claimLimit, leaseMs);
    if (items.length === 0) return idleMs;
    const byChannel = new Map<string, Notification[]>();
    for (const item of items) byChannel.set(item.channel, [...(byChannel.get(item.channel) ?? []), item]);
    // Channels in parallel, each one's items in turn, so that one busy channel's pacing does
    // not hold up the others.
    await Promise.all([...byChannel.values()].map(async (queue) => {
      for (const item of queue) await this.deliver(item);
    }));
    const now = this.now();
    for (const [channel, at] of this.nextPost) if (at <= now) this.nextPost.delete(channel);
    return 0;
  }

  private async deliver(item: Notification): Promise<void> {
    const key = keyOf(item);
    const log = this.opts.logger.child({ channel: item.channel, run: item.run, transition: item.transition, attempts: item.attempts });
    const payload = readPayload(item.payload);
    if (!payload) {
      log.error('notification poster: unreadable payload; dropped');
      await this.opts.state.markFailed(key, 'unreadable payload', null);
      return;
    }
    const pausedUntil = this.nextPost.get(item.channel) ?? 0;
    if (pausedUntil - this.now() > this.opts.channelIntervalMs) {
      await this.opts.state.markFailed(key, 'rate limited by Slack', pausedUntil);
      return;
    }
    const input: NoticeInput = { transition: item.transition, ...payload, uiUrl: this.opts.uiUrl, lostAfterMs: this.opts.lostAfterMs };
    let posted: PostedMessage;
    try {
      const card = await this.opts.state.runMessage(item.channel, item.run);
      posted = card ? await this.follow(card, item, input, log) : await this.post(item, runNotice(input));
    } catch (err) {
      await this.failed(item, err, log);
      return;
    }
    await this.record(key, posted, log);
    this.opts.metrics.notifications.inc({ transition: item.transition });
  }

  /** A later transition: the card shows the run as it is now, the thread tells what happened. */
  private async follow(card: PostedMessage, item: Notification, input: NoticeInput, log: Logger): Promise<PostedMessage> {
    const edited = runCard(input);
    try {
      await this.opts.slack.chat.update({ channel: card.channel, ts: card.ts, text: edited.text, blocks: edited.blocks });
    } catch (err) {
      // A card that cannot be edited (deleted, too old) must not hold back the news itself.
      if (slackErrorCode(err) === null) throw err;
      log.warn({ error: slackErrorCode(err) }, 'notification poster: could not edit the run card');
    }
    return this.post(item, threadNotice(input), card.ts);
  }

  private async post(item: Notification, message: SlackMessage, threadTs?: string): Promise<PostedMessage> {
    const { channel } = item;
    const wait = (this.nextPost.get(channel) ?? 0) - this.now();
    if (wait > 0) await sleep(wait);
    try {
      const res = await this.opts.slack.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: METADATA_EVENT, event_payload: { run: item.run, transition: item.transition } },
      });
      if (!res.ts) throw new Error('chat.postMessage answered without a ts');
      return { channel: res.channel ?? channel, ts: res.ts };
    } finally {
      this.nextPost.set(channel, Math.max(this.nextPost.get(channel) ?? 0, this.now() + this.opts.channelIntervalMs));
    }
  }

  private async failed(item: Notification, err: unknown, log: Logger): Promise<void> {
    const key = keyOf(item);
    const now = this.now();
    let retryAt: number | null;
    if (err instanceof webApi.WebAPIRateLimitedError) {
      retryAt = now + err.retryAfter * 1000;
      this.nextPost.set(item.channel, retryAt);
      log.warn({ retryAfter: err.retryAfter }, 'notification poster: rate limited by Slack');
    } else {
      const code = slackErrorCode(err);
      const permanent = code !== null && !TRANSIENT.has(code);
      retryAt = permanent || now - item.createdAt > GIVE_UP_AFTER_MS ? null : now + Math.min(RETRY_BASE_MS * 2 ** (item.attempts - 1), RETRY_MAX_MS);
      log.warn({ error: describe(err), retryAt }, retryAt === null ? 'notification poster: giving up' : 'notification poster: post failed; will retry');
    }
    try {
      await this.opts.state.markFailed(key, describe(err), retryAt);
    } catch (markErr) {
      // The lease runs out and the item comes back: the state store is what failed here.
      log.error({ err: markErr }, 'notification poster: could not record the failure');
    }
  }

  private async record(key: NotificationKey, posted: PostedMessage, log: Logger): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.opts.state.markPosted(key, posted);
        return;
      } catch (err) {
        if (tries === RECORD_TRIES) {
          log.error({ err }, 'notification poster: posted but could not record it; it will be posted again when its lease ends');
          return;
        }
        await sleep(RECORD_PAUSE_MS);
      }
    }
  }
}
