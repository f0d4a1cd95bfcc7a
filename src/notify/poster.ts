/**
 * Posts what the outbox holds. Every replica runs one: claims are atomic and leased, so two
 * posters never hold the same item, and a dead poster's items come back when their lease ends,
 * or at once when its replica starts again under the same id (`releaseClaims`, on the first
 * round).
 *
 * Per item: intent was recorded by the watcher; the poster posts (a new card, or an edit of the
 * card and a reply in its thread), then records the result (`markPosted`). A crash between the
 * post and that record, or a post that timed out yet went through, leaves an item that comes
 * back with `attempts > 1`; such an item is first looked for in Slack (earlier.ts), and a
 * message found is recorded instead of posted again. chat.postMessage itself is never retried
 * in place, for the same reason: a retry goes back through the outbox and its lookup.
 *
 * The lookup reads conversations.history / conversations.replies. Slack's 2025 change limits
 * those to one request a minute (and 15 messages) for apps distributed commercially outside
 * the Slack Marketplace; Marketplace apps and internal customer-built apps keep Tier 3 (50+ a
 * minute). A team that creates this bot from manifest.yml for its own workspace runs an
 * internal app, and a lookup happens only for an item claimed again. Where Slack still says
 * 429, the item waits for the Retry-After like a post. What is left of the window: a lookup
 * Slack refuses (the history scopes missing, the bot removed from the channel) or cannot
 * settle in one page is logged and the item posted, so it may double; nothing is ever dropped
 * for want of a lookup.
 *
 * Slack allows about one message per second per channel, over all replicas: a post waits for
 * its channel's turn in the state store (`takePostTurn`), the turn is held for `channelIntervalMs` after each post ends, and a 429 holds it for the
 * Retry-After (the item is handed back with that retry time, never retried in a loop).
 */
import { webApi } from '@slack/bolt';
import type { Metrics } from '../observability/metrics';
import type { Logger } from '../observability/logger';
import type { Notification, NotificationKey, PostedMessage, StateStore } from '../state/store';
import type { SlackMessage } from '../../views/components/message';
import { runCard, runNotice, threadNotice, type NoticeInput } from '../../views/notifications/run';
import { slackError } from '../slack/api-error';
import { EarlierPosts, noticeMetadata } from './earlier';
import { Loop } from './loop';
import { readPayload } from './payload';

export { METADATA_EVENT } from './earlier';

/** Slack calls per item that may be retried in place: a lookup of an earlier post, an edit of
 *  the card. The post itself never is; with them it makes the worst case of an item. */
export const RETRIED_CALLS_PER_ITEM = 2;
/** Turns an item waits for its channel at most before it is handed back (waitTurn). */
export const TURNS_PER_ITEM = 1;
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

export interface PosterOptions {
  state: StateStore;
  /** For lookups and edits, which may be retried in place. */
  slack: webApi.WebClient;
  /** For chat.postMessage only: a client that never retries (see above). */
  posts: webApi.WebClient;
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

/** Another replica holds the channel's turn past what an item waits for. */
class ChannelBusy extends Error {
  override name = 'ChannelBusy';

  constructor(readonly until: number) {
    super('waiting for the channel to be free');
  }
}

function describe(err: unknown): string {
  const code = slackError(err);
  if (code !== null) return code;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export class Poster {
  private readonly loop: Loop;
  /** Channels whose lookups Slack refused, each told in the log once. */
  private readonly cannotLook = new Set<string>();
  private released = false;
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
    if (!this.released) {
      // A previous life of this replica (same id) may have died holding claims: reconcile.
      const released = await state.releaseClaims(owner);
      this.released = true;
      if (released > 0) this.opts.logger.info({ released }, 'notification poster: took back what this replica held before it restarted');
    }
    const items = await state.claimPending(owner, claimLimit, leaseMs);
    if (items.length === 0) return idleMs;
    const earlier = new EarlierPosts(this.opts.slack, items);
    const byChannel = new Map<string, Notification[]>();
    for (const item of items) byChannel.set(item.channel, [...(byChannel.get(item.channel) ?? []), item]);
    // Channels in parallel, each one's items in turn, so that one busy channel's pacing does
    // not hold up the others.
    await Promise.all([...byChannel.values()].map(async (queue) => {
      for (const item of queue) await this.deliver(item, earlier);
    }));
    return 0;
  }

  private async deliver(item: Notification, earlier: EarlierPosts): Promise<void> {
    const key = keyOf(item);
    const log = this.opts.logger.child({ channel: item.channel, run: item.run, transition: item.transition, attempts: item.attempts });
    const payload = readPayload(item.payload);
    if (!payload) {
      log.error('notification poster: unreadable payload; dropped');
      await this.opts.state.markFailed(key, 'unreadable payload', null);
      return;
    }
    const input: NoticeInput = { transition: item.transition, ...payload, uiUrl: this.opts.uiUrl, lostAfterMs: this.opts.lostAfterMs };
    let posted: PostedMessage;
    try {
      const card = await this.opts.state.runMessage(item.channel, item.run);
      const found = item.attempts > 1 ? await this.lookUp(item, card, earlier, log) : null;
      if (found === 'handed back') return;
      if (found) log.info({ ts: found.ts }, 'notification poster: found the post of an earlier attempt; recorded it');
      posted = found ?? (card ? await this.follow(card, item, input, log) : await this.post(item, runNotice(input)));
    } catch (err) {
      await this.failed(item, err, log);
      return;
    }
    await this.record(key, posted, log);
    this.opts.metrics.notifications.inc({ transition: item.transition });
  }

  /**
   * The message an earlier attempt posted, or null when there is none or Slack would not tell
   * (the item is posted then); 'handed back' when Slack asked to wait. A transient failure
   * throws, so the item is retried like a failed post.
   */
  private async lookUp(item: Notification, card: PostedMessage | null, earlier: EarlierPosts, log: Logger): Promise<PostedMessage | null | 'handed back'> {
    try {
      const result = await earlier.find(item, card);
      if (result.found) return result.found;
      if (result.undecided) log.warn('notification poster: too many messages since the item was enqueued to tell whether it was posted; posting it');
      return null;
    } catch (err) {
      if (err instanceof webApi.WebAPIRateLimitedError) {
        const retryAt = this.now() + err.retryAfter * 1000;
        log.warn({ retryAfter: err.retryAfter }, 'notification poster: rate limited by Slack while looking for an earlier post');
        await this.opts.state.markFailed(keyOf(item), 'rate limited by Slack (looking for an earlier post)', retryAt);
        return 'handed back';
      }
      const code = slackError(err);
      if (code === 'thread_not_found') return null;
      if (code === null || TRANSIENT.has(code)) throw err;
      if (!this.cannotLook.has(item.channel)) {
        this.cannotLook.add(item.channel);
        log.warn({ error: code }, 'notification poster: Slack refused to show the channel history (channels:history / groups:history, and the bot in the channel); posting without looking, which may double a notice after a crash');
      }
      return null;
    }
  }

  /** A later transition: the card shows the run as it is now, the thread tells what happened. */
  private async follow(card: PostedMessage, item: Notification, input: NoticeInput, log: Logger): Promise<PostedMessage> {
    const edited = runCard(input);
    try {
      await this.opts.slack.chat.update({ channel: card.channel, ts: card.ts, text: edited.text, blocks: edited.blocks });
    } catch (err) {
      // A card that cannot be edited (deleted, too old) must not hold back the news itself.
      if (slackError(err) === null) throw err;
      log.warn({ error: slackError(err) }, 'notification poster: could not edit the run card');
    }
    return this.post(item, threadNotice(input), card.ts);
  }

  private async post(item: Notification, message: SlackMessage, threadTs?: string): Promise<PostedMessage> {
    const { channel } = item;
    await this.waitTurn(channel);
    try {
      const res = await this.opts.posts.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
        metadata: noticeMetadata(item),
      });
      if (!res.ts) throw new Error('chat.postMessage answered without a ts');
      return { channel: res.channel ?? channel, ts: res.ts };
    } finally {
      await this.holdTurn(channel, this.opts.channelIntervalMs);
    }
  }

  /** The channel's turn, over this poster and every other replica: waited for once when a post
   *  holds it (at most an interval), else, as after a 429, the item is handed back. */
  private async waitTurn(channel: string): Promise<void> {
    const { state, channelIntervalMs } = this.opts;
    let busy = await state.takePostTurn(channel, channelIntervalMs);
    if (busy > 0 && busy <= channelIntervalMs) {
      await sleep(busy);
      busy = await state.takePostTurn(channel, channelIntervalMs);
    }
    if (busy > 0) throw new ChannelBusy(this.now() + busy);
  }

  /** Tells the other replicas; a failure here costs at most a 429, never the post. */
  private async holdTurn(channel: string, ms: number): Promise<void> {
    await this.opts.state.holdPostTurn(channel, ms).catch((err: unknown) => {
      this.opts.logger.warn({ err, channel }, 'notification poster: could not hold the channel\'s turn');
    });
  }

  private async failed(item: Notification, err: unknown, log: Logger): Promise<void> {
    const key = keyOf(item);
    const now = this.now();
    let retryAt: number | null;
    if (err instanceof ChannelBusy) {
      retryAt = err.until;
      log.debug('notification poster: another replica is posting to the channel; handed back');
    } else if (err instanceof webApi.WebAPIRateLimitedError) {
      retryAt = now + err.retryAfter * 1000;
      await this.holdTurn(item.channel, err.retryAfter * 1000);
      log.warn({ retryAfter: err.retryAfter }, 'notification poster: rate limited by Slack');
    } else {
      const code = slackError(err);
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
          log.error({ err }, 'notification poster: posted but could not record it; its next claim will find the post in Slack');
          return;
        }
        await sleep(RECORD_PAUSE_MS);
      }
    }
  }
}
