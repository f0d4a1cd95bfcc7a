/**
 * What changed in a run between two polls, and which channels want to hear it. Pure: the
 * watcher feeds it runs and subscriptions, so every rule here is unit-tested without I/O.
 */
import type { Run, RunStatus } from '../metaflow/model';
import type { Subscription, Transition } from '../state/store';

/**
 * A subscription hears about transitions from a little before it was made: a run started just
 * before `watch` was typed still counts, and the clocks of the machines that run flows need not
 * agree with the bot's. Anything older is history, which is what keeps a flow watched again
 * after months from replaying every run in between.
 */
export const SUBSCRIPTION_GRACE_MS = 60_000;

export interface Detected {
  run: Run;
  transition: Transition;
  /** When it happened, on Metaflow's clock (epoch ms). */
  at: number;
}

const END: Readonly<Record<RunStatus, Transition | null>> = {
  running: null,
  failed: 'failed',
  successful: 'successful',
  lost: 'lost',
};

/** Depends only on what Metaflow recorded, so detecting the same transition again after a
 *  crash gives the same answer. */
export function transitionTime(run: Run, transition: Transition, lostAfterMs: number): number {
  switch (transition) {
    case 'started':
      return run.createdAt;
    case 'failed':
    case 'successful':
      return run.finishedAt ?? run.lastSeenAt;
    case 'lost':
      // It became lost when its silence passed the cutoff, not when it was last heard from.
      return run.lastSeenAt + lostAfterMs;
  }
}

function detected(run: Run, transitions: Transition[], lostAfterMs: number): Detected[] {
  return transitions.map((transition) => ({ run, transition, at: transitionTime(run, transition, lostAfterMs) }));
}

/** A run seen for the first time started, and may have ended already. */
export function firstSight(run: Run, lostAfterMs: number): Detected[] {
  const end = END[run.status];
  return detected(run, end ? ['started', end] : ['started'], lostAfterMs);
}

/**
 * A followed run seen again. `previous` is its status at the last poll, when known: without it
 * (a new leader) an ended run is reported again, which the outbox ignores (same key).
 */
export function change(previous: RunStatus | undefined, run: Run, lostAfterMs: number): Detected[] {
  if (previous === run.status) return [];
  const end = END[run.status];
  return end ? detected(run, [end], lostAfterMs) : [];
}

/**
 * How long a lost run is still looked at. Lost only means silent: a step that logs nothing for
 * longer than the cutoff (a long training step run locally writes no heartbeat) is lost until
 * it finishes, and its channels should still hear how it ended. A day covers such steps
 * without re-reading truly dead runs forever.
 */
export const LOST_FOLLOWED_MS = 24 * 60 * 60 * 1000;

/**
 * Whether the run is looked at again next poll. A failed run may yet succeed: Metaflow retries
 * a failed task (after `minutes_between_retries`), so it stays followed until it has been
 * silent past the cutoff. A lost run may yet finish (LOST_FOLLOWED_MS); a successful one is final.
 */
export function stillFollowed(run: Run, now: number, lostAfterMs: number): boolean {
  switch (run.status) {
    case 'running':
      return true;
    case 'failed':
      return now - run.lastSeenAt <= lostAfterMs;
    case 'lost':
      return now - run.lastSeenAt <= LOST_FOLLOWED_MS;
    case 'successful':
      return false;
  }
}

/** Project is Metaflow's `project:<name>` system tag (`@project`); a tag filter matches user
 *  and system tags alike, as Metaflow's own `tags` does. */
export function matches(sub: Subscription, d: Detected): boolean {
  const { run } = d;
  if (!sub.events.includes(d.transition)) return false;
  if (d.at < sub.createdAt - SUBSCRIPTION_GRACE_MS) return false;
  if (sub.user !== undefined && run.user !== sub.user) return false;
  if (sub.tag !== undefined && !run.tags.includes(sub.tag) && !run.systemTags.includes(sub.tag)) return false;
  if (sub.project !== undefined && !run.systemTags.includes(`project:${sub.project}`)) return false;
  return true;
}

/** Each channel once, however many of its subscriptions match. */
export function channelsFor(subs: readonly Subscription[], d: Detected): string[] {
  return [...new Set(subs.filter((s) => matches(s, d)).map((s) => s.channel))];
}
