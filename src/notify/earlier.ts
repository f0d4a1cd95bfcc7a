/**
 * Finds in Slack the message an earlier claim of an outbox item already posted: its poster died
 * after Slack took the post and before the outbox recorded it, or the post timed out yet went
 * through. The poster records that message instead of posting a second one (poster.ts).
 *
 * Every notice carries message metadata naming its run and transition (`noticeMetadata`), so
 * finding it is a matter of reading the right stretch of the channel with
 * `include_all_metadata`: a run card is a top-level message, found with conversations.history
 * since a little before the item was enqueued (one read per channel serves all of a round's
 * items there); an event told under a card is found with conversations.replies of that card.
 * Both read one page: the window starts at the enqueue, and a page of 100 messages (15 for an
 * app Slack limits to Tier 1, docs/deploy.md) covers it unless the channel was very busy since;
 * what a page cannot settle is reported as such (`undecided`).
 */
import type { webApi } from '@slack/bolt';
import type { Notification, NotificationKey, PostedMessage } from '../state/store';

export const METADATA_EVENT = 'metaflow_run_notification';

/** The bot's clock and Slack's need not agree to the second; a wider window only costs bytes. */
const CLOCK_MARGIN_MS = 60_000;
/** Messages per read. Slack gives a Tier 1 app at most 15 whatever it asks. */
const PAGE = 100;

export interface NoticeMetadata {
  event_type: string;
  event_payload: { run: string; transition: string };
}

export function noticeMetadata(key: NotificationKey): NoticeMetadata {
  return { event_type: METADATA_EVENT, event_payload: { run: key.run, transition: key.transition } };
}

/** What a lookup found: the earlier post, none, or no answer within the page read. */
export type Earlier = { found: PostedMessage } | { found: null; undecided: boolean };

interface SlackMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: unknown };
}

interface MessagePage {
  messages?: SlackMessage[];
  has_more?: boolean;
}

function isNoticeOf(m: SlackMessage, key: NotificationKey): boolean {
  const payload = m.metadata?.event_payload as { run?: unknown; transition?: unknown } | undefined;
  return m.metadata?.event_type === METADATA_EVENT && payload?.run === key.run && payload.transition === key.transition;
}

/** Slack's timestamps are seconds with microseconds. */
function slackTs(ms: number): string {
  return (Math.max(0, ms - CLOCK_MARGIN_MS) / 1000).toFixed(6);
}

/** The lookups of one poster round; reads of a channel's history are shared between its items. */
export class EarlierPosts {
  private readonly since = new Map<string, number>();
  private readonly histories = new Map<string, Promise<MessagePage>>();

  /** `items`: the round's claims, so that one read of a channel covers all those claimed again. */
  constructor(
    private readonly slack: webApi.WebClient,
    items: readonly Notification[],
  ) {
    for (const item of items) {
      if (item.attempts > 1) this.since.set(item.channel, Math.min(this.since.get(item.channel) ?? Infinity, item.createdAt));
    }
  }

  /**
   * The earlier post of `item`. `card` is its run's card in the channel when there is one: the
   * item is then told in the card's thread. Throws what Slack answered when it would not say.
   */
  async find(item: Notification, card: PostedMessage | null): Promise<Earlier> {
    const page = card ? await this.thread(card, item.createdAt) : await this.history(item.channel, item.createdAt);
    const found = (page.messages ?? []).find((m) => m.ts !== undefined && m.ts !== card?.ts && isNoticeOf(m, item));
    if (found?.ts) return { found: { channel: card?.channel ?? item.channel, ts: found.ts } };
    return { found: null, undecided: page.has_more === true };
  }

  private history(channel: string, createdAt: number): Promise<MessagePage> {
    let read = this.histories.get(channel);
    if (!read) {
      const oldest = slackTs(Math.min(this.since.get(channel) ?? createdAt, createdAt));
      read = this.slack.conversations.history({ channel, oldest, include_all_metadata: true, limit: PAGE });
      this.histories.set(channel, read);
    }
    return read;
  }

  private thread(card: PostedMessage, createdAt: number): Promise<MessagePage> {
    return this.slack.conversations.replies({ channel: card.channel, ts: card.ts, oldest: slackTs(createdAt), include_all_metadata: true, limit: PAGE });
  }
}
