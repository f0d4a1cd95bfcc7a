/**
 * What the bot remembers between requests and across restarts, shared by every replica:
 * the run each conversation or user is looking at (set by `use <query>`), channel
 * subscriptions, the watcher's progress, the notification outbox and the leader lock.
 *
 * Notifications are exactly-once in effect because of the order the poster follows:
 * 1. the watcher records the intent (`enqueue`) before it saves its progress
 *    (`saveWatchState`), so a crash in between re-detects the transition and the second
 *    `enqueue` is a no-op: the key (channel, run, transition) exists in any state;
 * 2. a poster `claimPending`s items: a claim is atomic and leased, so two replicas never hold
 *    the same item, and an item whose poster died (kill -9) becomes claimable again when its
 *    lease runs out;
 * 3. it posts, then records the result (`markPosted`). A crash between a successful post and
 *    `markPosted` leaves an item that was posted but looks unposted (so does a post that timed
 *    out yet went through, reported with `markFailed`). It comes back with `attempts > 1`, at
 *    once if its replica restarts under the same id (`releaseClaims`), else when its lease
 *    expires or its retry time comes; the poster then looks for its own earlier message in
 *    Slack before posting (notify/poster.ts), and records that one instead of posting twice.
 *
 * Within one channel and run, items are claimed strictly one at a time in enqueue order, so
 * the first message posted for a run (`runMessage`) exists before later transitions are
 * posted, which can then edit it and reply in its thread.
 */

/** Where a conversation happens; a thread has its own current run, apart from its channel. */
export interface ConversationKey {
  channel: string;
  thread?: string | null;
}

export type Transition = 'started' | 'failed' | 'successful' | 'lost';

export const TRANSITIONS: readonly Transition[] = ['started', 'failed', 'successful', 'lost'];

/**
 * A channel's request to hear about a flow's runs. At most one subscription per channel,
 * flow and filters (`user`, `tag`, `project`): subscribing again with the same ones replaces
 * it. Absent filters match every run.
 */
export interface Subscription {
  id: string;
  channel: string;
  flow: string;
  events: Transition[];
  user?: string;
  tag?: string;
  project?: string;
  /** The Slack user who subscribed. */
  createdBy: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** The watcher's progress through one flow, saved after each poll. */
export interface WatchState {
  /** The newest run seen; runs newer than it have not been announced yet. */
  newestRunId: string | null;
  /** Runs seen unfinished, followed until they finish. */
  following: string[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One notification: one transition of one run, told to one channel. */
export interface NotificationKey {
  channel: string;
  /** The run's pathspec, `Flow/RunId`. */
  run: string;
  transition: Transition;
}

export interface NewNotification extends NotificationKey {
  /** What the poster needs to build the message; stored as JSON. */
  payload: Json;
}

/**
 * `pending`: waiting until `dueAt`; `inflight`: claimed by `owner` until `leaseUntil`;
 * `posted`: done; `abandoned`: given up (`markFailed` without a retry time).
 */
export type NotificationStatus = 'pending' | 'inflight' | 'posted' | 'abandoned';

/** A Slack message: the channel chat.postMessage answered with, and its ts. */
export interface PostedMessage {
  channel: string;
  ts: string;
}

export interface Notification extends NewNotification {
  status: NotificationStatus;
  /**
   * Claims so far, this one included. Above 1, an earlier poster may have posted and died
   * before `markPosted`: the poster looks for that message before posting.
   */
  attempts: number;
  createdAt: number;
  /** When a pending item may be claimed (enqueue time, or the retry time after a failure). */
  dueAt: number;
  /** Set while in flight only. */
  owner: string | null;
  leaseUntil: number | null;
  posted: PostedMessage | null;
  /** The last failure, kept after a retry succeeds. */
  error: string | null;
}

export type NotificationCounts = Record<NotificationStatus, number>;

/**
 * A modal answer under way (src/slack/answers.ts): the view to replace, where it is going and
 * for whom. Held from just after the ack until the answer replaces the view, under a lease;
 * a replica killed in between leaves it behind, and any replica finishes it once the lease has
 * run out, so a click is answered even when the replica that took it died.
 */
export interface PendingAnswer {
  /** The view the answer replaces: the key. */
  viewId: string;
  /** The view's hash when held: a view the user changed since then is left alone. Null: any. */
  hash: string | null;
  /** The Slack user who asked. */
  user: string;
  /** Where the answer leads, encoded as in the view's private_metadata (navigation.ts). */
  nav: string;
  /** Epoch ms of the first hold. */
  createdAt: number;
}

export interface StateStore {
  /** The run a channel or thread looks at (a thread's own only: callers fall back to its channel). */
  currentRun(key: ConversationKey): Promise<string | null>;
  setCurrentRun(key: ConversationKey, pathspec: string): Promise<void>;
  /** The run a user looks at where no channel applies: direct messages and App Home. */
  userCurrentRun(user: string): Promise<string | null>;
  setUserCurrentRun(user: string, pathspec: string): Promise<void>;

  /** Adds a subscription; returns the one it replaced (same channel, flow and filters), if any. */
  subscribe(sub: Subscription): Promise<Subscription | null>;
  /** Removes a channel's subscriptions to a flow, whatever their filters; returns how many. */
  unsubscribe(channel: string, flow: string): Promise<number>;
  /** Ordered by flow, then creation. */
  subscriptions(channel: string): Promise<Subscription[]>;
  /** Ordered by channel, flow, then creation. */
  allSubscriptions(): Promise<Subscription[]>;
  /** Every flow some channel subscribes to, sorted: what the watcher polls. */
  subscribedFlows(): Promise<string[]>;

  watchState(flow: string): Promise<WatchState | null>;
  /** Replaces the flow's state in one atomic write. */
  saveWatchState(flow: string, state: WatchState): Promise<void>;

  /** Records the intent to notify; false (and no change) if the key was ever enqueued. */
  enqueue(notification: NewNotification): Promise<boolean>;
  /**
   * Claims up to `limit` items that are due: pending ones whose `dueAt` has come, and in-flight
   * ones whose lease expired (their poster died). Claimed items are in flight for `owner`
   * until now + `leaseMs`, which must exceed the time a post can take. Items of one channel
   * and run come one at a time: the next is due only once the one before is posted or abandoned.
   */
  claimPending(owner: string, limit: number, leaseMs: number): Promise<Notification[]>;
  /**
   * Records the posted message. Accepted from any state but posted (a post that happened is a
   * fact, even from a poster whose lease expired); a second call keeps the first message.
   * Throws if the key was never enqueued.
   */
  markPosted(key: NotificationKey, message: PostedMessage): Promise<void>;
  /**
   * Records a failed post of an in-flight item: pending again from `retryAt`, or abandoned if
   * `retryAt` is null (an error retrying cannot fix). Ignored unless in flight, so a late
   * failure report cannot undo a post. Throws if the key was never enqueued.
   */
  markFailed(key: NotificationKey, error: string, retryAt: number | null): Promise<void>;
  /**
   * Makes every item in flight for `owner` claimable at once, keeping its attempts: what a
   * replica does when it starts under the id of a previous life of its own (killed), rather
   * than waiting for those leases to run out. Returns how many. Only a replica that knows no
   * other live process has its id may call it.
   */
  releaseClaims(owner: string): Promise<number>;
  /** The first message posted for a run in a channel: the one later transitions edit and thread under. */
  runMessage(channel: string, run: string): Promise<PostedMessage | null>;
  /** Unfinished items (pending and in flight), in enqueue order. */
  pending(): Promise<Notification[]>;
  counts(): Promise<NotificationCounts>;
  /**
   * Forgets the notifications of every channel and run whose items are all finished and were
   * all enqueued before `before`; returns how many items went. Their keys can then be
   * enqueued again, so `before` must be older than any transition the watcher may re-detect.
   */
  pruneNotifications(before: number): Promise<number>;

  /** Takes the leader lock if free or expired, or extends it if `owner` holds it. */
  acquireLeadership(owner: string, ttlMs: number): Promise<boolean>;
  /** Extends the lock; false if `owner` no longer holds it (expired or taken over). */
  renewLeadership(owner: string, ttlMs: number): Promise<boolean>;
  /** Frees the lock if `owner` holds it, so another replica need not wait for the expiry. */
  releaseLeadership(owner: string): Promise<void>;
  leader(): Promise<string | null>;

  /**
   * Slack allows about one message a second per channel, counted over every replica: takes the
   * channel's turn to post, for `intervalMs`, if no one holds it; returns 0 then, else how many
   * ms remain until it is free. Redis shares turns between replicas; SQLite (one host, usually
   * one process) keeps them in the process.
   */
  takePostTurn(channel: string, intervalMs: number): Promise<number>;
  /** Keeps the channel's turn taken for at least `ms` from now, whoever took it (never
   *  shortening a longer hold): after a post, so the next is spaced from its end, and for a 429's
   *  Retry-After. */
  holdPostTurn(channel: string, ms: number): Promise<void>;

  /** Holds an answer for `owner` until `leaseUntil` (epoch ms); replaces any held for the same view. */
  holdAnswer(answer: PendingAnswer, owner: string, leaseUntil: number): Promise<void>;
  /**
   * Forgets the answer held for a view (done, or given up) if `owner` holds it: a later click
   * on the same view, held by another replica, stays. No error if there is none.
   */
  releaseAnswer(viewId: string, owner: string): Promise<void>;
  /** Extends to `leaseUntil` the leases of those of `viewIds` that `owner` still holds; returns how many. */
  renewAnswers(owner: string, viewIds: readonly string[], leaseUntil: number): Promise<number>;
  /**
   * Takes over, atomically, up to `limit` answers whose lease ended before `now` (oldest first):
   * they are held for `owner` until `leaseUntil` and returned. Two replicas never take the same one.
   */
  takeOverAnswers(owner: string, now: number, leaseUntil: number, limit: number): Promise<PendingAnswer[]>;

  close(): Promise<void>;
}

export function conversationId(key: ConversationKey): string {
  return key.thread ? `${key.channel}:${key.thread}` : key.channel;
}
