/**
 * State in one SQLite file, for one host: replicas on that host share it (WAL lets readers
 * run beside the one writer; `busy_timeout` makes writers queue instead of failing). Every
 * read-modify-write is a `BEGIN IMMEDIATE` transaction, which takes the write lock first, so
 * no two connections act on the same snapshot.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { checkClaim, normalSubscription, sortSubscriptions, subscriptionFilters, subscriptionOf } from '../checks';
import { StateSchemaError } from '../schema';
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
import { migrate } from './migrations';

/** Long enough to outlast any other connection's write transaction, which are all short. */
const BUSY_TIMEOUT_MS = 10_000;

interface SubscriptionRow {
  id: string;
  channel: string;
  flow: string;
  events: string;
  user: string;
  tag: string;
  project: string;
  created_by: string;
  created_at: number;
}

interface NotificationRow {
  seq: number;
  channel: string;
  run: string;
  transition: Transition;
  payload: string;
  status: NotificationStatus;
  attempts: number;
  created_at: number;
  due_at: number;
  owner: string | null;
  lease_until: number | null;
  posted_channel: string | null;
  posted_ts: string | null;
  error: string | null;
}

interface AnswerRow {
  view_id: string;
  hash: string | null;
  user: string;
  nav: string;
  created_at: number;
}

function subscriptionFromRow(row: SubscriptionRow): Subscription {
  const { id, channel, flow, created_by: createdBy, created_at: createdAt } = row;
  return subscriptionOf({ id, channel, flow, events: JSON.parse(row.events), createdBy, createdAt }, [row.user, row.tag, row.project]);
}

function notificationFromRow(row: NotificationRow): Notification {
  return {
    channel: row.channel,
    run: row.run,
    transition: row.transition,
    payload: JSON.parse(row.payload),
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at,
    dueAt: row.due_at,
    owner: row.owner,
    leaseUntil: row.lease_until,
    posted: row.posted_channel !== null && row.posted_ts !== null ? { channel: row.posted_channel, ts: row.posted_ts } : null,
    error: row.error,
  };
}

function answerFromRow(row: AnswerRow): PendingAnswer {
  return { viewId: row.view_id, hash: row.hash, user: row.user, nav: row.nav, createdAt: row.created_at };
}

const KEY = 'channel = @channel AND run = @run AND transition = @transition';

function keyParams(key: NotificationKey): NotificationKey {
  return { channel: key.channel, run: key.run, transition: key.transition };
}

function open(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // Survives kill -9 like FULL; a power loss may drop the last commits, but in order, so
    // (enqueue before saveWatchState) a lost enqueue comes with a lost save and the watcher
    // re-detects. A lost markPosted is found again in Slack like a crash after posting, unless
    // the claim before it was lost too: then the item looks never tried, and is posted again.
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export class SqliteStateStore implements StateStore {
  private readonly db: Database.Database;
  /** Prepared once: preparing costs more than running these small statements. */
  private readonly statements = new Map<string, Database.Statement>();
  /** Per channel, until when its posting turn is taken: in this process only (see StateStore). */
  private readonly postTurns = new Map<string, number>();

  /** `path` is a file (its folder is created) or `:memory:` for a private, throwaway store. */
  constructor(path: string) {
    try {
      this.db = open(path);
    } catch (error) {
      if (error instanceof StateSchemaError) throw error;
      throw new Error(`cannot open the state store ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  private run(scope: 'conversation' | 'user', id: string): string | null {
    const row = this.db.prepare<[string, string], { pathspec: string }>('SELECT pathspec FROM current_runs WHERE scope = ? AND id = ?').get(scope, id);
    return row?.pathspec ?? null;
  }

  private setRun(scope: 'conversation' | 'user', id: string, pathspec: string): void {
    this.sql('INSERT INTO current_runs (scope, id, pathspec) VALUES (?, ?, ?) ON CONFLICT (scope, id) DO UPDATE SET pathspec = excluded.pathspec')
      .run(scope, id, pathspec);
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  async currentRun(key: ConversationKey): Promise<string | null> {
    return this.run('conversation', conversationId(key));
  }

  async setCurrentRun(key: ConversationKey, pathspec: string): Promise<void> {
    this.setRun('conversation', conversationId(key), pathspec);
  }

  async userCurrentRun(user: string): Promise<string | null> {
    return this.run('user', user);
  }

  async setUserCurrentRun(user: string, pathspec: string): Promise<void> {
    this.setRun('user', user, pathspec);
  }

  async subscribe(sub: Subscription): Promise<Subscription | null> {
    const s = normalSubscription(sub);
    const [user, tag, project] = subscriptionFilters(s);
    const same = { channel: s.channel, flow: s.flow, user, tag, project };
    return this.db
      .transaction(() => {
        const where = 'channel = @channel AND flow = @flow AND user = @user AND tag = @tag AND project = @project';
        const old = this.db.prepare<typeof same, SubscriptionRow>(`SELECT * FROM subscriptions WHERE ${where}`).get(same);
        this.sql(`DELETE FROM subscriptions WHERE ${where}`).run(same);
        this.sql(
            `INSERT INTO subscriptions (id, channel, flow, events, user, tag, project, created_by, created_at)
             VALUES (@id, @channel, @flow, @events, @user, @tag, @project, @createdBy, @createdAt)`,
          )
          .run({ ...same, id: s.id, events: JSON.stringify(s.events), createdBy: s.createdBy, createdAt: s.createdAt });
        return old ? subscriptionFromRow(old) : null;
      })
      .immediate();
  }

  async unsubscribe(channel: string, flow: string): Promise<number> {
    return this.sql('DELETE FROM subscriptions WHERE channel = ? AND flow = ?').run(channel, flow).changes;
  }

  async subscriptions(channel: string): Promise<Subscription[]> {
    const rows = this.db.prepare<[string], SubscriptionRow>('SELECT * FROM subscriptions WHERE channel = ?').all(channel);
    return sortSubscriptions(rows.map(subscriptionFromRow));
  }

  async allSubscriptions(): Promise<Subscription[]> {
    const rows = this.db.prepare<[], SubscriptionRow>('SELECT * FROM subscriptions').all();
    return sortSubscriptions(rows.map(subscriptionFromRow));
  }

  async subscribedFlows(): Promise<string[]> {
    const rows = this.db.prepare<[], { flow: string }>('SELECT DISTINCT flow FROM subscriptions').all();
    return rows.map((r) => r.flow).sort();
  }

  async watchState(flow: string): Promise<WatchState | null> {
    const row = this.db.prepare<[string], { state: string }>('SELECT state FROM watch_state WHERE flow = ?').get(flow);
    return row ? (JSON.parse(row.state) as WatchState) : null;
  }

  async saveWatchState(flow: string, state: WatchState): Promise<void> {
    const json = JSON.stringify({ newestRunId: state.newestRunId, following: state.following });
    this.sql('INSERT INTO watch_state (flow, state) VALUES (?, ?) ON CONFLICT (flow) DO UPDATE SET state = excluded.state').run(flow, json);
  }

  async enqueue(n: NewNotification): Promise<boolean> {
    const now = Date.now();
    const inserted = this.sql(
        `INSERT INTO notifications (channel, run, transition, payload, status, created_at, due_at)
         VALUES (@channel, @run, @transition, @payload, 'pending', @now, @now)
         ON CONFLICT (channel, run, transition) DO NOTHING`,
      )
      .run({ ...keyParams(n), payload: JSON.stringify(n.payload), now });
    return inserted.changes === 1;
  }

  async claimPending(owner: string, limit: number, leaseMs: number): Promise<Notification[]> {
    checkClaim(limit, leaseMs);
    // Only the oldest unfinished item of each channel and run is ever due (see StateStore).
    const due = this.db.prepare<{ now: number; limit: number }, { seq: number }>(
      `SELECT seq FROM notifications n
       WHERE ((status = 'pending' AND due_at <= @now) OR (status = 'inflight' AND lease_until <= @now))
         AND NOT EXISTS (
           SELECT 1 FROM notifications e
           WHERE e.channel = n.channel AND e.run = n.run AND e.seq < n.seq AND e.status IN ('pending', 'inflight'))
       ORDER BY CASE status WHEN 'pending' THEN due_at ELSE lease_until END, seq
       LIMIT @limit`,
    );
    const claim = this.db.prepare<{ seq: number; owner: string; until: number }, NotificationRow>(
      `UPDATE notifications SET status = 'inflight', owner = @owner, lease_until = @until, attempts = attempts + 1
       WHERE seq = @seq RETURNING *`,
    );
    return this.db
      .transaction(() => {
        // The clock is read after the write lock is held: waiting for it may take a while.
        const now = Date.now();
        return due.all({ now, limit }).map(({ seq }) => notificationFromRow(claim.get({ seq, owner, until: now + leaseMs })!));
      })
      .immediate();
  }

  private requireKnown(key: NotificationKey): void {
    if (!this.sql(`SELECT 1 FROM notifications WHERE ${KEY}`).get(keyParams(key))) {
      throw new Error(`no notification ${key.transition} of ${key.run} in ${key.channel} was enqueued`);
    }
  }

  async markPosted(key: NotificationKey, message: PostedMessage): Promise<void> {
    const changed = this.sql(
        `UPDATE notifications
         SET status = 'posted', posted_channel = @postedChannel, posted_ts = @ts, posted_at = @now, owner = NULL, lease_until = NULL
         WHERE ${KEY} AND status <> 'posted'`,
      )
      .run({ ...keyParams(key), postedChannel: message.channel, ts: message.ts, now: Date.now() }).changes;
    if (changed === 0) this.requireKnown(key);
  }

  async markFailed(key: NotificationKey, error: string, retryAt: number | null): Promise<void> {
    const changed = this.sql(
        `UPDATE notifications
         SET status = CASE WHEN @retryAt IS NULL THEN 'abandoned' ELSE 'pending' END,
             due_at = COALESCE(@retryAt, due_at), error = @error, owner = NULL, lease_until = NULL
         WHERE ${KEY} AND status = 'inflight'`,
      )
      .run({ ...keyParams(key), error, retryAt }).changes;
    if (changed === 0) this.requireKnown(key);
  }

  async releaseClaims(owner: string): Promise<number> {
    const now = Date.now();
    return this.sql("UPDATE notifications SET lease_until = @now WHERE status = 'inflight' AND owner = @owner AND lease_until > @now").run({ owner, now }).changes;
  }

  async runMessage(channel: string, run: string): Promise<PostedMessage | null> {
    const row = this.db
      .prepare<[string, string], { channel: string; ts: string }>(
        `SELECT posted_channel AS channel, posted_ts AS ts FROM notifications
         WHERE channel = ? AND run = ? AND status = 'posted' ORDER BY posted_at, seq LIMIT 1`,
      )
      .get(channel, run);
    return row ? { channel: row.channel, ts: row.ts } : null;
  }

  async pending(): Promise<Notification[]> {
    const rows = this.db.prepare<[], NotificationRow>("SELECT * FROM notifications WHERE status IN ('pending', 'inflight') ORDER BY seq").all();
    return rows.map(notificationFromRow);
  }

  async counts(): Promise<NotificationCounts> {
    const counts: NotificationCounts = { pending: 0, inflight: 0, posted: 0, abandoned: 0 };
    const rows = this.db.prepare<[], { status: NotificationStatus; n: number }>('SELECT status, COUNT(*) AS n FROM notifications GROUP BY status').all();
    for (const { status, n } of rows) counts[status] = n;
    return counts;
  }

  async pruneNotifications(before: number): Promise<number> {
    return this.sql(
        `DELETE FROM notifications WHERE (channel, run) IN (
           SELECT channel, run FROM notifications GROUP BY channel, run
           HAVING MAX(created_at) < ? AND SUM(status IN ('pending', 'inflight')) = 0)`,
      )
      .run(before).changes;
  }

  async acquireLeadership(owner: string, ttlMs: number): Promise<boolean> {
    return this.db
      .transaction(() => {
        const now = Date.now();
        const held = this.db.prepare<[number], { owner: string }>('SELECT owner FROM leader WHERE expires_at > ?').get(now);
        if (held && held.owner !== owner) return false;
        this.sql('INSERT INTO leader (id, owner, expires_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at')
          .run(owner, now + ttlMs);
        return true;
      })
      .immediate();
  }

  async renewLeadership(owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return this.sql('UPDATE leader SET expires_at = ? WHERE owner = ? AND expires_at > ?').run(now + ttlMs, owner, now).changes === 1;
  }

  async releaseLeadership(owner: string): Promise<void> {
    this.sql('DELETE FROM leader WHERE owner = ?').run(owner);
  }

  async leader(): Promise<string | null> {
    return this.db.prepare<[number], { owner: string }>('SELECT owner FROM leader WHERE expires_at > ?').get(Date.now())?.owner ?? null;
  }

  async takePostTurn(channel: string, intervalMs: number): Promise<number> {
    const now = Date.now();
    const heldUntil = this.postTurns.get(channel) ?? 0;
    if (heldUntil > now) return heldUntil - now;
    this.postTurns.set(channel, now + intervalMs);
    // Forgetting turns long over keeps the map to the channels posted to lately.
    for (const [other, until] of this.postTurns) if (until <= now) this.postTurns.delete(other);
    return 0;
  }

  async holdPostTurn(channel: string, ms: number): Promise<void> {
    this.postTurns.set(channel, Math.max(this.postTurns.get(channel) ?? 0, Date.now() + ms));
  }

  async holdAnswer(answer: PendingAnswer, owner: string, leaseUntil: number): Promise<void> {
    this.sql(
        `INSERT INTO pending_answers (view_id, hash, user, nav, created_at, owner, lease_until)
         VALUES (@viewId, @hash, @user, @nav, @createdAt, @owner, @leaseUntil)
         ON CONFLICT (view_id) DO UPDATE
         SET hash = excluded.hash, user = excluded.user, nav = excluded.nav, owner = excluded.owner, lease_until = excluded.lease_until`,
      )
      .run({ viewId: answer.viewId, hash: answer.hash, user: answer.user, nav: answer.nav, createdAt: answer.createdAt, owner, leaseUntil });
  }

  async releaseAnswer(viewId: string, owner: string): Promise<void> {
    this.sql('DELETE FROM pending_answers WHERE view_id = @viewId AND owner = @owner').run({ viewId, owner });
  }

  async renewAnswers(owner: string, viewIds: readonly string[], leaseUntil: number): Promise<number> {
    const renew = this.sql('UPDATE pending_answers SET lease_until = @leaseUntil WHERE view_id = @viewId AND owner = @owner');
    return this.db.transaction(() => viewIds.reduce((n, viewId) => n + renew.run({ viewId, owner, leaseUntil }).changes, 0))();
  }

  async takeOverAnswers(owner: string, now: number, leaseUntil: number, limit: number): Promise<PendingAnswer[]> {
    checkClaim(limit, leaseUntil - now);
    const expired = this.db.prepare<{ now: number; limit: number }, { view_id: string }>(
      'SELECT view_id FROM pending_answers WHERE lease_until < @now ORDER BY created_at, view_id LIMIT @limit',
    );
    const take = this.db.prepare<{ viewId: string; owner: string; leaseUntil: number }, AnswerRow>(
      'UPDATE pending_answers SET owner = @owner, lease_until = @leaseUntil WHERE view_id = @viewId RETURNING *',
    );
    return this.db
      .transaction(() => expired.all({ now, limit }).map(({ view_id: viewId }) => answerFromRow(take.get({ viewId, owner, leaseUntil })!)))
      .immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
