/**
 * A task's attempts as its metadata tells them: `attempt` when one starts, `attempt_ok`
 * (True/False) and `attempt-done` when it ends, each tagged `attempt_id:<n>`. The cheapest
 * status signal the service has: no artifact, no datastore read.
 */
import type { AttemptRecord, MetadataEntry } from '../sources';
import type { ServiceMetadataRow } from './records';

/** Attempts of every task of `step` that has attempt metadata; tasks not started yet have none. */
export function attemptsByTask(rows: ServiceMetadataRow[], step: string): Map<string, AttemptRecord[]> {
  const entries = new Map<string, MetadataEntry[]>();
  for (const row of rows) {
    if (row.step !== step) continue;
    const list = entries.get(row.task) ?? [];
    list.push(row.entry);
    entries.set(row.task, list);
  }
  const result = new Map<string, AttemptRecord[]>();
  for (const [task, list] of entries) {
    const attempts = attemptsOf(list);
    if (attempts.length > 0) result.set(task, attempts);
  }
  return result;
}

interface Progress {
  startedAt: number | null;
  okAt: number | null;
  doneAt: number | null;
  ok: boolean | null;
}

export function attemptsOf(entries: MetadataEntry[]): AttemptRecord[] {
  const byAttempt = new Map<number, Progress>();
  for (const e of entries) {
    if (e.field !== 'attempt' && e.field !== 'attempt_ok' && e.field !== 'attempt-done') continue;
    // Very old clients wrote no attempt tag; the value of `attempt`/`attempt-done` is the number.
    const n = e.attempt ?? (e.field === 'attempt_ok' ? null : attemptNumber(e.value));
    if (n === null) continue;
    const p = byAttempt.get(n) ?? { startedAt: null, okAt: null, doneAt: null, ok: null };
    if (e.field === 'attempt') p.startedAt = earliest(p.startedAt, e.ts);
    else if (e.field === 'attempt-done') p.doneAt = earliest(p.doneAt, e.ts);
    else {
      p.ok = outcome(e.value);
      p.okAt = e.ts;
    }
    byAttempt.set(n, p);
  }
  return [...byAttempt.entries()]
    .sort(([a], [b]) => a - b)
    .map(([attempt, p]) => ({ attempt, startedAt: p.startedAt, doneAt: p.doneAt ?? p.okAt, ok: p.ok }));
}

function attemptNumber(value: unknown): number | null {
  const text = String(value);
  return /^\d+$/.test(text) ? Number(text) : null;
}

/** Python writes `str(bool)`: "True" / "False". */
function outcome(value: unknown): boolean | null {
  if (value === true || value === 'True' || value === 'true') return true;
  if (value === false || value === 'False' || value === 'false') return false;
  return null;
}

function earliest(current: number | null, ts: number): number {
  return current === null ? ts : Math.min(current, ts);
}
