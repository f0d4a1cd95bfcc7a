/**
 * Run notifications, wired: the leader lock decides which replica watches (leader.ts), the
 * watcher fills the outbox (watcher.ts), and every replica's poster empties it (poster.ts).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { webApi } from '@slack/bolt';
import { ClientCache } from '../metaflow/cache';
import { MetaflowClient } from '../metaflow/client';
import type { Run } from '../metaflow/model';
import { boltLogger } from '../observability/bolt-logger';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { observedFetch } from '../observability/slack-fetch';
import type { StateStore } from '../state/store';
import { Leadership } from './leader';
import { Poster, RETRIED_CALLS_PER_ITEM, TURNS_PER_ITEM } from './poster';
import { Watcher } from './watcher';

export interface NotifierSettings {
  /**
   * This replica's name in the leader lock and on its claims: unique among live processes, and
   * the same after a restart, so that a restarted replica takes back at once what it held.
   */
  replicaId: string;
  pollIntervalMs: number;
  lostAfterMs: number;
  leaderTtlMs: number;
  /** How long a claimed item is reserved for its poster; see `checkLease`. */
  leaseMs: number;
  /** Items a poster claims at once: more posts in parallel, but a longer lease. */
  claimLimit: number;
  /** Per Slack call, and retries of a lookup or an edit that failed on the network or with a
   *  5xx (a post is never retried in place: it may have gone through). */
  requestTimeoutMs: number;
  retries: number;
  /** How long an idle poster waits before looking for due items again. */
  idleMs: number;
  /** Between two posts to one channel: Slack allows about one message per second. */
  channelIntervalMs: number;
}

export type NotifierOverrides = Partial<NotifierSettings>;

export const NOTIFIER_DEFAULTS = {
  // A follower takes over within ttl + ttl/10 of the leader's last renewal: 27.5 s, inside 30 s.
  leaderTtlMs: 25_000,
  leaseMs: 5 * 60 * 1000,
  claimLimit: 4,
  requestTimeoutMs: 5_000,
  retries: 1,
  idleMs: 1_000,
  channelIntervalMs: 1_000,
} as const;

/** The web client's back-off between retries of one call is at most this. */
const RETRY_MAX_BACKOFF_MS = 1_000;
/** The watcher reads unfinished runs again every poll; settled ones stay cached as usual. */
const WATCH_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * `<host>:<port>` when the port is fixed: two live processes cannot share both, and a process
 * restarted in place (kill -9, then its supervisor starts it again) gets its old id back.
 * With port 0 (tests, one-off runs) nothing identifies a previous life: a random id.
 */
export function defaultReplicaId(port = 0): string {
  return port > 0 ? `${hostname()}:${port}` : `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * A claimed batch must be posted well before its lease ends, or another replica takes the
 * items back and may post one while its first poster still does. Worst case per item: the
 * calls retried in place timing out on every try, the post timing out, and waiting for the
 * channel's turns.
 */
export function checkLease(s: Pick<NotifierSettings, 'leaseMs' | 'claimLimit' | 'requestTimeoutMs' | 'retries' | 'channelIntervalMs'>): void {
  const perCall = (s.retries + 1) * s.requestTimeoutMs + s.retries * RETRY_MAX_BACKOFF_MS;
  const perItem = RETRIED_CALLS_PER_ITEM * perCall + s.requestTimeoutMs + TURNS_PER_ITEM * s.channelIntervalMs;
  // All of a batch may be for one channel, posted in turn.
  const batch = s.claimLimit * perItem;
  if (s.leaseMs < 2 * batch) {
    throw new RangeError(`notification lease of ${s.leaseMs} ms is too short: posting a batch can take ${batch} ms, and the lease must be at least twice that`);
  }
}

export interface NotifierDeps {
  state: StateStore;
  /** The bot's client: the watcher shares its backends, not its cache. */
  client: MetaflowClient;
  /** Whether a channel may see a run: the access policy, applied to the channel. */
  canSee: (channel: string, run: Run) => boolean;
  botToken: string;
  slackApiUrl: string | null;
  uiUrl: string | null;
  logger: Logger;
  metrics: Metrics;
}

export interface Notifier {
  stop(): Promise<void>;
}

export function startNotifier(deps: NotifierDeps, settings: NotifierSettings): Notifier {
  checkLease(settings);
  const logger = deps.logger.child({ component: 'notify', replica: settings.replicaId });
  // The bot's client keeps lists and running runs for seconds; the watcher must see each
  // poll's changes, so its short-lived entries expire within a poll.
  const client = new MetaflowClient({
    metadata: deps.client.metadata,
    datastore: deps.client.datastore,
    lostAfterMs: settings.lostAfterMs,
    shortTtlMs: Math.max(1, Math.floor(settings.pollIntervalMs / 2)),
    cache: new ClientCache({ maxBytes: WATCH_CACHE_BYTES }),
  });
  // Web API clients of its own: Bolt's retries for five minutes, longer than any sane lease,
  // and waits out 429s itself instead of handing the item back with its retry time.
  const slackClient = (retries: number): webApi.WebClient =>
    new webApi.WebClient(deps.botToken, {
      ...(deps.slackApiUrl ? { slackApiUrl: deps.slackApiUrl } : {}),
      timeout: settings.requestTimeoutMs,
      retryConfig: { retries, factor: 2, minTimeout: RETRY_MAX_BACKOFF_MS / 4, maxTimeout: RETRY_MAX_BACKOFF_MS },
      rejectRateLimitedCalls: true,
      fetch: observedFetch(deps.metrics),
      logger: boltLogger(logger),
    });
  const poster = new Poster({
    state: deps.state,
    slack: slackClient(settings.retries),
    posts: slackClient(0),
    owner: settings.replicaId,
    uiUrl: deps.uiUrl,
    lostAfterMs: settings.lostAfterMs,
    leaseMs: settings.leaseMs,
    claimLimit: settings.claimLimit,
    idleMs: settings.idleMs,
    channelIntervalMs: settings.channelIntervalMs,
    logger,
    metrics: deps.metrics,
  });
  const watcher = new Watcher({
    state: deps.state,
    client,
    lostAfterMs: settings.lostAfterMs,
    pollIntervalMs: settings.pollIntervalMs,
    canSee: deps.canSee,
    logger,
    onEnqueued: () => poster.nudge(),
  });
  const leadership = new Leadership({
    state: deps.state,
    owner: settings.replicaId,
    ttlMs: settings.leaderTtlMs,
    logger,
    onElected: () => watcher.start(),
    onDeposed: () => watcher.stop(),
  });
  poster.start();
  leadership.start();
  return {
    stop: async () => {
      await leadership.stop();
      await poster.stop();
    },
  };
}
