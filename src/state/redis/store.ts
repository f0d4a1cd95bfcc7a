/**
 * State in Redis (6.2 or newer), shared by replicas on any number of hosts. Single-key writes
 * are atomic by themselves; every read-then-write is a Lua script (scripts.ts) or a MULTI.
 * Subscriptions live in one hash, read whole: fine for the thousands a workspace may have.
 */
import { Redis, type ChainableCommander } from 'ioredis';
import { checkClaim, normalSubscription, sortSubscriptions, subscriptionFilters } from '../checks';
import {
  conversationId,
  type ConversationKey,
  type NewNotification,
  type Notification,
  type NotificationCounts,
  type NotificationKey,
  type NotificationStatus,
  type PendingAnswer,
  type PostedMessage,
  type StateStore,
  type Subscription,
  type Transition,
  type WatchState,
} from '../store';
import { notificationId, redisKeys, runId, type RedisKeys } from './keys';
import { migrate } from './migrations';
import {
  CLAIM,
  ENQUEUE,
  HOLD_POST_TURN,
  MARK_FAILED,
  MARK_POSTED,
  PRUNE,
  RELEASE_ANSWER,
  RELEASE_CLAIMS,
  RELEASE_LEADERSHIP,
  RENEW_ANSWERS,
  RENEW_LEADERSHIP,
  runScript,
  TAKE_OVER_ANSWERS,
  TAKE_POST_TURN,
  UNSUBSCRIBE,
  type Script,
} from './scripts';

export const DEFAULT_REDIS_PREFIX = 'metaflowbot';

/** The URL without its password, to name the store in messages. */
export function redisLocation(url: string, prefix: string): string {
  let shown = url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    shown = u.toString();
  } catch {
    // Not a URL: ioredis will refuse it with its own message.
  }
  return `${shown} (prefix ${JSON.stringify(prefix)})`;
}

function notificationFromHash(h: Record<string, string>): Notification {
  return {
    channel: h.channel,
    run: h.run,
    transition: h.transition as Transition,
    payload: JSON.parse(h.payload),
    status: h.status as NotificationStatus,
    attempts: Number(h.attempts),
    createdAt: Number(h.createdAt),
    dueAt: Number(h.dueAt),
    owner: h.owner ?? null,
    leaseUntil: h.leaseUntil === undefined ? null : Number(h.leaseUntil),
    posted: h.postedTs === undefined ? null : { channel: h.postedChannel, ts: h.postedTs },
    error: h.error ?? null,
  };
}

function answerFromHash(h: Record<string, string>): PendingAnswer {
  return { viewId: h.viewId, hash: h.hash ?? null, user: h.user, nav: h.nav, createdAt: Number(h.createdAt) };
}

/** HGETALL as a Lua script returns it: [field, value, field, value, …]. */
function hashFromPairs(pairs: string[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) h[pairs[i]] = pairs[i + 1];
  return h;
}

export class RedisStateStore implements StateStore {
  private readonly keys: RedisKeys;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.keys = redisKeys(prefix);
  }

  /** Connects (failing at once if Redis is unreachable) and migrates the layout. */
  static async open(url: string, prefix = DEFAULT_REDIS_PREFIX): Promise<RedisStateStore> {
    const where = redisLocation(url, prefix);
    const redis = new Redis(url, { lazyConnect: true });
    // Without a listener ioredis prints every reconnection error; commands report failures.
    let lastError: Error | null = null;
    redis.on('error', (error: Error) => {
      lastError = error;
    });
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new Error(`cannot reach Redis at ${where}: ${(lastError ?? (error as Error)).message}`, { cause: lastError ?? error });
    }
    try {
      await migrate(redis, prefix, redisKeys(prefix), where);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    return new RedisStateStore(redis, prefix);
  }

  private script(s: Script, ...args: (string | number)[]): Promise<unknown> {
    return runScript(this.redis, s, this.prefix, args);
  }

  /** Runs a MULTI, failing if any command in it failed: `exec` only lists such errors. */
  private async commit(tx: ChainableCommander): Promise<[Error | null, unknown][]> {
    const results = (await tx.exec())!;
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    return results;
  }

  async currentRun(key: ConversationKey): Promise<string | null> {
    return this.redis.hget(this.keys.current, `conv:${conversationId(key)}`);
  }

  async setCurrentRun(key: ConversationKey, pathspec: string): Promise<void> {
    await this.redis.hset(this.keys.current, `conv:${conversationId(key)}`, pathspec);
  }

  async userCurrentRun(user: string): Promise<string | null> {
    return this.redis.hget(this.keys.current, `user:${user}`);
  }

  async setUserCurrentRun(user: string, pathspec: string): Promise<void> {
    await this.redis.hset(this.keys.current, `user:${user}`, pathspec);
  }

  async subscribe(sub: Subscription): Promise<Subscription | null> {
    const s = normalSubscription(sub);
    // Channel and flow first: UNSUBSCRIBE matches on them.
    const field = JSON.stringify([s.channel, s.flow, ...subscriptionFilters(s)]);
    const results = await this.commit(this.redis.multi().hget(this.keys.subscriptions, field).hset(this.keys.subscriptions, field, JSON.stringify(s)));
    const old = results[0][1];
    return typeof old === 'string' ? (JSON.parse(old) as Subscription) : null;
  }

  async unsubscribe(channel: string, flow: string): Promise<number> {
    return (await this.script(UNSUBSCRIBE, channel, flow)) as number;
  }

  async subscriptions(channel: string): Promise<Subscription[]> {
    return (await this.allSubscriptions()).filter((s) => s.channel === channel);
  }

  async allSubscriptions(): Promise<Subscription[]> {
    const all = await this.redis.hvals(this.keys.subscriptions);
    return sortSubscriptions(all.map((json) => JSON.parse(json) as Subscription));
  }

  async subscribedFlows(): Promise<string[]> {
    return [...new Set((await this.allSubscriptions()).map((s) => s.flow))].sort();
  }

  async watchState(flow: string): Promise<WatchState | null> {
    const json = await this.redis.hget(this.keys.watch, flow);
    return json === null ? null : (JSON.parse(json) as WatchState);
  }

  async saveWatchState(flow: string, state: WatchState): Promise<void> {
    await this.redis.hset(this.keys.watch, flow, JSON.stringify({ newestRunId: state.newestRunId, following: state.following }));
  }

  async enqueue(n: NewNotification): Promise<boolean> {
    const added = await this.script(ENQUEUE, notificationId(n), runId(n.channel, n.run), n.channel, n.run, n.transition, JSON.stringify(n.payload), Date.now());
    return added === 1;
  }

  async claimPending(owner: string, limit: number, leaseMs: number): Promise<Notification[]> {
    checkClaim(limit, leaseMs);
    const now = Date.now();
    const claimed = (await this.script(CLAIM, owner, limit, now, now + leaseMs)) as string[][];
    return claimed.map((pairs) => notificationFromHash(hashFromPairs(pairs)));
  }

  private known(key: NotificationKey, result: unknown): void {
    if (result === -1) throw new Error(`no notification ${key.transition} of ${key.run} in ${key.channel} was enqueued`);
  }

  async markPosted(key: NotificationKey, message: PostedMessage): Promise<void> {
    this.known(key, await this.script(MARK_POSTED, notificationId(key), message.channel, message.ts, Date.now()));
  }

  async markFailed(key: NotificationKey, error: string, retryAt: number | null): Promise<void> {
    this.known(key, await this.script(MARK_FAILED, notificationId(key), error, retryAt ?? ''));
  }

  async releaseClaims(owner: string): Promise<number> {
    return (await this.script(RELEASE_CLAIMS, owner, Date.now())) as number;
  }

  async runMessage(channel: string, run: string): Promise<PostedMessage | null> {
    const json = await this.redis.hget(this.keys.runMessages, runId(channel, run));
    if (json === null) return null;
    const [postedChannel, ts] = JSON.parse(json) as [string, string];
    return { channel: postedChannel, ts };
  }

  async pending(): Promise<Notification[]> {
    const ids = await this.redis.zrange(this.keys.openNotifications, 0, -1);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.notification(id));
    const hashes = (await pipeline.exec()) ?? [];
    // An item finished between the two reads comes back empty.
    return hashes.map(([, h]) => h as Record<string, string>).filter((h) => h.status === 'pending' || h.status === 'inflight').map(notificationFromHash);
  }

  async counts(): Promise<NotificationCounts> {
    const stored = await this.redis.hgetall(this.keys.counts);
    const count = (status: NotificationStatus): number => Number(stored[status] ?? 0);
    return { pending: count('pending'), inflight: count('inflight'), posted: count('posted'), abandoned: count('abandoned') };
  }

  async pruneNotifications(before: number): Promise<number> {
    return (await this.script(PRUNE, before)) as number;
  }

  async acquireLeadership(owner: string, ttlMs: number): Promise<boolean> {
    if ((await this.redis.set(this.keys.leader, owner, 'PX', Math.ceil(ttlMs), 'NX')) === 'OK') return true;
    return this.renewLeadership(owner, ttlMs);
  }

  async renewLeadership(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.script(RENEW_LEADERSHIP, owner, Math.ceil(ttlMs))) === 1;
  }

  async releaseLeadership(owner: string): Promise<void> {
    await this.script(RELEASE_LEADERSHIP, owner);
  }

  async leader(): Promise<string | null> {
    return this.redis.get(this.keys.leader);
  }

  async takePostTurn(channel: string, intervalMs: number): Promise<number> {
    return (await this.script(TAKE_POST_TURN, channel, Math.max(1, Math.ceil(intervalMs)))) as number;
  }

  async holdPostTurn(channel: string, ms: number): Promise<void> {
    await this.script(HOLD_POST_TURN, channel, Math.max(1, Math.ceil(ms)));
  }

  async holdAnswer(answer: PendingAnswer, owner: string, leaseUntil: number): Promise<void> {
    const key = this.keys.answer(answer.viewId);
    const tx = this.redis
      .multi()
      .hsetnx(key, 'createdAt', answer.createdAt)
      .hset(key, 'viewId', answer.viewId, 'user', answer.user, 'nav', answer.nav, 'owner', owner);
    // The field is absent for a null hash, so a replacement without one must drop the old.
    if (answer.hash === null) tx.hdel(key, 'hash');
    else tx.hset(key, 'hash', answer.hash);
    await this.commit(tx.zadd(this.keys.answerLeases, leaseUntil, answer.viewId));
  }

  async releaseAnswer(viewId: string, owner: string): Promise<void> {
    await this.script(RELEASE_ANSWER, owner, viewId);
  }

  async renewAnswers(owner: string, viewIds: readonly string[], leaseUntil: number): Promise<number> {
    if (viewIds.length === 0) return 0;
    return Number(await this.script(RENEW_ANSWERS, owner, leaseUntil, ...viewIds));
  }

  async takeOverAnswers(owner: string, now: number, leaseUntil: number, limit: number): Promise<PendingAnswer[]> {
    checkClaim(limit, leaseUntil - now);
    const taken = (await this.script(TAKE_OVER_ANSWERS, owner, now, leaseUntil, limit)) as string[][];
    return taken.map((pairs) => answerFromHash(hashFromPairs(pairs)));
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    // QUIT waits for Redis to answer; with Redis unreachable that could take the whole retry budget.
    if (this.redis.status === 'ready') await this.redis.quit();
    else this.redis.disconnect();
  }
}
