/**
 * Run lists two ways. Services from 2.5.1 page and filter runs themselves (`_limit`,
 * `_cursor`, `X-Next-Cursor`, `field:op=value` filters); older ones return every run of a
 * flow in no order, so we filter, sort and page on our side. Both give the same runs in the
 * same order: newest first (`ts_epoch` desc, then run id desc), as the service pages them.
 */
import { MetaflowError } from '../errors';
import type { RunStatus } from '../model';
import type { RunListQuery, RunRecord } from '../sources';

/** The service's own page cap. */
export const MAX_PAGE = 500;

const PAGING_SINCE = [2, 5, 1];

/** `METADATA_SERVICE_VERSION` of `/ping`; null (no header) means a service older than the header. */
export function supportsRunPaging(version: string | null): boolean {
  if (!version) return false;
  const parts = version.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < PAGING_SINCE.length; i++) {
    const have = parts[i] ?? 0;
    if (have !== PAGING_SINCE[i]) return have > PAGING_SINCE[i];
  }
  return true;
}

/**
 * The service's statuses that hold every run of ours of a status (a superset: the caller
 * re-checks each run). The service knows only `running`/`completed`/`failed`, by its 6-minute
 * heartbeat rule on the step named `end`: a run that died outside `end` stays `running` for
 * those minutes, and a lost run is `failed` to it (or still `running` if our clocks differ).
 * Our `running` is its `running` as long as our lost cutoff is not longer than its 6 minutes.
 */
const SERVICE_STATUSES: Record<RunStatus, string[]> = {
  // Only a last step named `end` ever completes there, and Metaflow lets a flow name it
  // otherwise: a successful run may show as anything. It is the common status, so a
  // pre-filter would save little.
  successful: ['completed', 'failed', 'running'],
  running: ['running'],
  failed: ['failed', 'running'],
  lost: ['failed', 'running'],
};

/** The query string of one paged call; filters the service cannot express exactly are left to `matchesQuery`. */
export function pagedQuery(query: RunListQuery, limit: number, cursor: string | null): string {
  const params: Array<[string, string]> = [['_limit', String(limit)]];
  if (cursor) params.push(['_cursor', cursor]);
  // `user` is the verified owner or null, and equals `user_name` when set: so `user_name`
  // alone matches "owner, else user_name", which is what RunRecord.user holds.
  if (query.user && expressible(query.user)) params.push(['user_name:eq', query.user]);
  // A run query's tags must all match (`tagged a tagged b`), as Metaflow's own filters do, so
  // `_tags:all`; `_tags:any` would fetch runs that `matchesQuery` then drops.
  const tags = (query.tags ?? []).filter(expressible);
  if (tags.length > 0) params.push(['_tags:all', tags.join(',')]);
  const statuses = new Set((query.status ?? []).flatMap((s) => SERVICE_STATUSES[s]));
  if (statuses.size > 0 && statuses.size < 3) params.push(['status:eq', [...statuses].sort().join(',')]);
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** The service splits filter values on commas and reads `null` as IS NULL; such values are matched here instead. */
function expressible(value: string): boolean {
  return value !== '' && value !== 'null' && !value.includes(',');
}

export function matchesQuery(run: RunRecord, query: RunListQuery): boolean {
  if (query.user && run.user !== query.user) return false;
  return (query.tags ?? []).every((t) => run.tags.includes(t) || run.systemTags.includes(t));
}

type RunKey = Pick<RunRecord, 'createdAt' | 'id'>;

export function newestFirst(a: RunKey, b: RunKey): number {
  return b.createdAt - a.createdAt || compareIds(b.id, a.id);
}

/** Numeric ids by value before string ids (scheduler runs) by text: a total order either way. */
export function compareIds(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an !== bn) return an ? -1 : 1;
  if (an) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/*
 * Cursors handed to callers: `p.` and the service's own in paged mode; in list mode `l.` and
 * the position of the last run shown, so that runs started meanwhile do not shift the next
 * page as an offset would. A cursor of the other mode (the service was upgraded meanwhile) or
 * of nobody's making is refused with one sentence.
 */

export function pagedCursor(serviceCursor: string): string {
  return `p.${serviceCursor}`;
}

export function serviceCursorOf(cursor: string): string {
  if (cursor.startsWith('p.') && cursor.length > 2) return cursor.slice(2);
  throw staleCursor();
}

function listedCursor(run: RunKey): string {
  return `l.${Buffer.from(JSON.stringify([run.createdAt, run.id])).toString('base64url')}`;
}

export function listedPositionOf(cursor: string): RunKey {
  if (!cursor.startsWith('l.')) throw staleCursor();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor.slice(2), 'base64url').toString('utf8'));
  } catch {
    throw staleCursor();
  }
  if (!Array.isArray(value) || typeof value[0] !== 'number' || typeof value[1] !== 'string') throw staleCursor();
  return { createdAt: value[0], id: value[1] };
}

function staleCursor(): MetaflowError {
  return new MetaflowError('This run list is out of date; open it again from the first page.');
}

/** One page of a full, filtered, newest-first list: the runs after `after`. */
export function pageOfList(runs: RunRecord[], limit: number, after: RunKey | null): { runs: RunRecord[]; next: string | null } {
  let start = after ? runs.findIndex((r) => newestFirst(after, r) < 0) : 0;
  if (start < 0) start = runs.length;
  const page = runs.slice(start, start + limit);
  const last = page[page.length - 1];
  return { runs: page, next: start + limit < runs.length && last ? listedCursor(last) : null };
}
