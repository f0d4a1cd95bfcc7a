/**
 * Metaflow's status rules in one place, for every backend:
 * - a task's status is its newest attempt's: done and ok → successful, done and not ok →
 *   failed; not done → running, or lost once silent for longer than the cutoff;
 * - a run is successful when a task of its end step finished ok (a retry that later succeeded
 *   is no failure, since only the newest attempt counts), failed when some task's newest
 *   attempt failed, else running — or lost when no sign of life came within the cutoff
 *   (6 minutes by default, like Metaflow's UI backend; a local run has no heartbeat, so a
 *   killed local run looks running forever without this rule).
 */
import type { RunStatus, TaskStatus } from './model';
import type { AttemptRecord } from './sources';

export const DEFAULT_LOST_AFTER_MS = 6 * 60 * 1000;

export interface StatusClock {
  now: number;
  lostAfterMs: number;
}

export function newestAttempt(attempts: readonly AttemptRecord[]): AttemptRecord | null {
  let newest: AttemptRecord | null = null;
  for (const a of attempts) if (!newest || a.attempt > newest.attempt) newest = a;
  return newest;
}

function isDone(a: AttemptRecord): boolean {
  return a.doneAt !== null || a.ok !== null;
}

/** An attempt's own outcome; `lastSeen` is the newest sign of life of its task. */
export function attemptStatus(a: AttemptRecord, isNewest: boolean, lastSeen: number, clock: StatusClock): TaskStatus {
  if (isDone(a)) return a.ok === false ? 'failed' : 'successful';
  // An older attempt that never finished was superseded: its process is gone.
  if (!isNewest) return 'lost';
  return clock.now - lastSeen > clock.lostAfterMs ? 'lost' : 'running';
}

export function lastSignOfLife(attempts: readonly AttemptRecord[], ...others: (number | null)[]): number {
  let last = 0;
  for (const a of attempts) last = Math.max(last, a.startedAt ?? 0, a.doneAt ?? 0);
  for (const t of others) last = Math.max(last, t ?? 0);
  return last;
}

export function taskStatus(attempts: readonly AttemptRecord[], lastSeen: number, clock: StatusClock): TaskStatus {
  const newest = newestAttempt(attempts);
  if (!newest) return clock.now - lastSeen > clock.lostAfterMs ? 'lost' : 'running';
  return attemptStatus(newest, true, lastSeen, clock);
}

/** A step is as good as its worst task: running beats failed beats lost beats successful. */
export function stepStatus(tasks: readonly TaskStatus[]): TaskStatus {
  for (const s of ['running', 'failed', 'lost'] as const) if (tasks.includes(s)) return s;
  return 'successful';
}

export interface RunStatusInput {
  /** Attempts of every task of the end step. */
  endTasks: AttemptRecord[][];
  /** Attempts of every task of the run (may be left empty when the end step succeeded). */
  allTasks: AttemptRecord[][];
  /** Newest sign of life of the run: task records, heartbeats, creation. */
  lastSeen: number;
}

export interface RunStatusResult {
  status: RunStatus;
  finishedAt: number | null;
}

export function runStatus(input: RunStatusInput, clock: StatusClock): RunStatusResult {
  for (const attempts of input.endTasks) {
    const newest = newestAttempt(attempts);
    if (newest && isDone(newest) && newest.ok !== false) {
      return { status: 'successful', finishedAt: newest.doneAt };
    }
  }
  let failedAt: number | null = null;
  for (const attempts of input.allTasks) {
    const newest = newestAttempt(attempts);
    if (newest && isDone(newest) && newest.ok === false) failedAt = Math.max(failedAt ?? 0, newest.doneAt ?? 0);
  }
  if (failedAt !== null) return { status: 'failed', finishedAt: failedAt || null };
  if (clock.now - input.lastSeen > clock.lostAfterMs) return { status: 'lost', finishedAt: null };
  return { status: 'running', finishedAt: null };
}

/**
 * Whether a run can no longer change, so that what was read of it may be kept for good. A
 * successful run never changes. A failed one is final once quiet past the cutoff: until then a
 * retry of the failed task may still start. A running run goes on, and so may a lost one: lost
 * only means silent for a while (a local task has no heartbeat, so any task longer than the
 * cutoff looks lost until it ends).
 */
export function isSettled(status: RunStatus, lastSeen: number, clock: StatusClock): boolean {
  if (status === 'successful') return true;
  if (status === 'failed') return clock.now - lastSeen > clock.lostAfterMs;
  return false;
}
