/**
 * The run watcher: polls the backends for the flows channels subscribe to and records every
 * transition a subscription wants in the outbox. Only the leader runs it (leader.ts); any
 * replica posts (poster.ts).
 *
 * Cheap by design: per flow it lists runs newest first only down to the newest run it saw
 * last time (usually one small page), and reads again only the runs it follows, the unfinished
 * ones. It writes nothing but the bot's own state.
 *
 * The order is what makes notifications exactly-once in effect (store.ts): a poll enqueues
 * everything it found before it saves its progress, so a crash in between finds the same
 * transitions again and the outbox ignores the second enqueue of a key.
 */
import { mapLimit } from '../metaflow/concurrency';
import type { MetaflowClient } from '../metaflow/client';
import { NotFoundError } from '../metaflow/errors';
import type { Run, RunStatus } from '../metaflow/model';
import type { Logger } from '../observability/logger';
import type { StateStore, Subscription } from '../state/store';
import { failureDetails } from './details';
import { Loop } from './loop';
import { toJson, type FailureDetails } from './payload';
import { change, channelsFor, firstSight, stillFollowed, type Detected } from './transitions';

export interface WatcherOptions {
  state: StateStore;
  /** A client whose short-lived cache entries expire within a poll interval. */
  client: MetaflowClient;
  lostAfterMs: number;
  pollIntervalMs: number;
  /** Whether a channel may see a run (the access policy): a subscription made before a rule
   *  changed must not outlive it. */
  canSee: (channel: string, run: Run) => boolean;
  logger: Logger;
  /** Told after a poll enqueued something, so posting need not wait for its next round. */
  onEnqueued: () => void;
  now?: () => number;
}

/** Most polls find no new run or one: a small first page keeps the common case cheap. */
const PAGE = 10;
/** A flow unwatched for months has thousands of runs since; they are history (see
 *  transitions.ts), so reading back further than this is not worth it. */
const MAX_NEW_RUNS = 500;
const FLOW_CONCURRENCY = 4;
const FOLLOWED_CONCURRENCY = 8;
/**
 * Metaflow marks an attempt failed before it writes the exception's index, and the runtime
 * writes the logs only once the task process is gone: a poll can see a failure a moment
 * before its details. Until this long after the failure, a notice missing them waits a poll.
 */
const DETAILS_GRACE_MS = 20_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Far older than any transition a poll can find again (it re-reads only unfinished runs and
 *  runs newer than the last seen), so a pruned key is never enqueued twice. */
const KEEP_NOTIFICATIONS_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Whether `id` was created after `newest`. Run ids grow with creation (local ids are µs
 * timestamps, the metadata service counts up); an id that is no number (set by a scheduler,
 * rare) is only known to be new while it differs from the newest seen.
 */
export function isNewerRun(id: string, newest: string): boolean {
  if (/^\d+$/.test(id) && /^\d+$/.test(newest)) return id.length !== newest.length ? id.length > newest.length : id > newest;
  return id !== newest;
}

function isComplete(failure: FailureDetails | null): boolean {
  return failure !== null && failure.exception !== null && failure.stderr.length > 0;
}

export class Watcher {
  private loop: Loop | null = null;
  /** Each followed run's status at the last poll, per flow: a failed run stays followed (it
   *  may be retried), and this keeps its failure from being read again on every poll. A new
   *  leader starts without it and reports such a run once more, which the outbox ignores. */
  private readonly seen = new Map<string, Map<string, RunStatus>>();
  private lastPrune = 0;
  private readonly now: () => number;

  constructor(private readonly opts: WatcherOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.loop) return;
    this.loop = new Loop(
      () => this.round(),
      (err) => {
        this.opts.logger.error({ err }, 'run watcher: poll failed');
        return this.opts.pollIntervalMs;
      },
    );
    this.loop.start();
  }

  async stop(): Promise<void> {
    const loop = this.loop;
    this.loop = null;
    await loop?.stop();
  }

  /** Polls start one interval apart, however long each takes. */
  private async round(): Promise<number> {
    const started = this.now();
    await this.poll();
    return this.opts.pollIntervalMs - (this.now() - started);
  }

  async poll(): Promise<void> {
    const byFlow = new Map<string, Subscription[]>();
    for (const sub of await this.opts.state.allSubscriptions()) byFlow.set(sub.flow, [...(byFlow.get(sub.flow) ?? []), sub]);
    await mapLimit([...byFlow], FLOW_CONCURRENCY, async ([flow, subs]) => {
      try {
        await this.watchFlow(flow, subs);
      } catch (err) {
        // One flow's trouble (deleted, unreadable) must not stop the others.
        if (err instanceof NotFoundError) this.opts.logger.warn({ flow }, `run watcher: ${err.message}`);
        else this.opts.logger.error({ err, flow }, 'run watcher: could not poll a flow');
      }
    });
    for (const flow of this.seen.keys()) if (!byFlow.has(flow)) this.seen.delete(flow);
    await this.prune();
  }

  private async watchFlow(flow: string, subs: Subscription[]): Promise<void> {
    const { state, client, lostAfterMs } = this.opts;
    const known = await state.watchState(flow);
    const saved = known ?? { newestRunId: null, following: [] };
    const fresh = await this.runsSince(flow, saved.newestRunId, known === null);
    const freshIds = new Set(fresh.map((r) => r.id));
    const followed = await mapLimit(
      saved.following.filter((id) => !freshIds.has(id)),
      FOLLOWED_CONCURRENCY,
      (id) =>
        client.getRun(flow, id).catch((err: unknown) => {
          // A run deleted meanwhile is no longer followed.
          if (err instanceof NotFoundError) return null;
          throw err;
        }),
    );
    const before = this.seen.get(flow) ?? new Map<string, RunStatus>();
    const seen = new Map<string, RunStatus>();
    const found: Detected[] = [];
    const following: string[] = [];
    const now = this.now();
    const track = (run: Run, detected: Detected[]): void => {
      found.push(...detected);
      seen.set(run.id, run.status);
      if (stillFollowed(run, now, lostAfterMs)) following.push(run.id);
    };
    for (const run of followed) if (run) track(run, change(before.get(run.id), run, lostAfterMs));
    // Oldest first, so that channels hear of runs in the order they started.
    for (const run of [...fresh].reverse()) track(run, firstSight(run, lostAfterMs));

    const { added, deferred } = await this.enqueue(found, subs);
    if (added) this.opts.onEnqueued();
    await state.saveWatchState(flow, { newestRunId: fresh[0]?.id ?? saved.newestRunId, following });
    // Not remembered as failed, so that the next poll reports the failure again.
    for (const id of deferred) seen.delete(id);
    this.seen.set(flow, seen);
  }

  /** Newest first. A flow never watched before gets its newest page only: older runs are history. */
  private async runsSince(flow: string, newest: string | null, firstWatch: boolean): Promise<Run[]> {
    const runs: Run[] = [];
    let cursor: string | null = null;
    while (runs.length < MAX_NEW_RUNS) {
      const page = await this.opts.client.listRuns(flow, { limit: PAGE, cursor });
      for (const run of page.items) {
        if (newest !== null && !isNewerRun(run.id, newest)) return runs;
        runs.push(run);
      }
      if (firstWatch || page.next === null) return runs;
      cursor = page.next;
    }
    this.opts.logger.warn({ flow, runs: runs.length }, 'run watcher: too many new runs since the last poll; older ones are skipped');
    return runs;
  }

  /** `added`: something new entered the outbox; `deferred`: runs whose failure waits for its details. */
  private async enqueue(found: Detected[], subs: Subscription[]): Promise<{ added: boolean; deferred: Set<string> }> {
    const failures = new Map<string, Promise<FailureDetails | null>>();
    const deferred = new Set<string>();
    let added = false;
    for (const d of found) {
      const channels = channelsFor(subs, d).filter((channel) => this.opts.canSee(channel, d.run));
      if (channels.length === 0) continue;
      const { run } = d;
      let failure: FailureDetails | null = null;
      if (d.transition === 'failed') {
        const read = failures.get(run.id) ?? this.failureOf(run);
        failures.set(run.id, read);
        failure = await read;
        if (!isComplete(failure) && this.now() - d.at < DETAILS_GRACE_MS) {
          deferred.add(run.id);
          continue;
        }
      }
      const payload = toJson({ run, failure });
      for (const channel of channels) {
        if (await this.opts.state.enqueue({ channel, run: run.pathspec, transition: d.transition, payload })) added = true;
      }
    }
    return { added, deferred };
  }

  /** A notice without details beats none: the first enqueue of a key is the one that counts,
   *  so an unreadable exception must not hold the transition back until it reads. */
  private async failureOf(run: Run): Promise<FailureDetails | null> {
    try {
      return await failureDetails(this.opts.client, run);
    } catch (err) {
      this.opts.logger.warn({ err, run: run.pathspec }, 'run watcher: could not read why the run failed');
      return null;
    }
  }

  private async prune(): Promise<void> {
    const now = this.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const pruned = await this.opts.state.pruneNotifications(now - KEEP_NOTIFICATIONS_MS);
    if (pruned > 0) this.opts.logger.info({ pruned }, 'run watcher: forgot old notifications');
  }
}
