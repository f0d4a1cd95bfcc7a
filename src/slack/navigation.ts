/**
 * "Where am I" in a modal: the flow, run, step, task, artifact or log a view shows, with its
 * filters and page. It travels in the view's own `private_metadata`, so any replica can answer
 * the next click and a restart breaks no open modal; buttons carry only what changes (the run
 * picked, the next page's cursor).
 *
 * Wire format: `m1` (the version) followed by JSON with one-letter keys, defaults left out:
 *
 *   m1{"k":"s","d":3,"c":"C0GENERAL1","f":"FailFlow","r":"1795835906791541","s":"explode"}
 *
 *   k  kind: i inspect (query input), fl flows, rs runs, r run, s step, t task, a artifact, l logs
 *   d  depth of the view in Slack's modal stack (1–3); c  the conversation files are uploaded to
 *   f r s t n  flow, run, step, task, artifact name;  u g x  user, tags, status filters
 *   o  log stream (out | err);  a  attempt;  p  page;  q  cursor of this page;  h  cursors of the
 *      pages before it (oldest first), dropped from the front when the whole would not fit
 *
 * Decoding validates everything (names as Metaflow allows them, lengths, kinds and their
 * fields): a garbled, stale or foreign value decodes to null, never to a half-read location.
 */
import { z } from 'zod';
import type { LogStream, RunStatus } from '../metaflow/model';
import { isFlowName, isId, isStepName } from '../metaflow/runspec/names';
import { PRIVATE_METADATA_MAX, VIEW_STACK_MAX } from '../../views/limits';

export type Depth = 1 | 2 | 3;

/** A page of a list the client pages with opaque cursors, which only go forward. */
export interface Paging {
  /** 0 for the first page. */
  page: number;
  /** The cursor that fetched this page; null for the first. */
  cursor: string | null;
  /** The cursors of the pages before this one, oldest first; may lack the oldest ones. */
  trail: (string | null)[];
}

export interface RunFilter {
  user: string | null;
  /** A run must carry every one of them. */
  tags: string[];
  status: RunStatus | null;
}

export type Location =
  | { kind: 'inspect' }
  | { kind: 'flows'; page: number }
  | { kind: 'runs'; flow: string; filter: RunFilter; paging: Paging }
  | { kind: 'run'; flow: string; run: string; page: number }
  | { kind: 'step'; flow: string; run: string; step: string; paging: Paging }
  | { kind: 'task'; flow: string; run: string; step: string; task: string; page: number }
  | { kind: 'artifact'; flow: string; run: string; step: string; task: string; name: string; page: number }
  | { kind: 'logs'; flow: string; run: string; step: string; task: string; stream: LogStream; attempt: number | null; paging: Paging };

export type LocationKind = Location['kind'];

export interface Nav {
  at: Location;
  depth: Depth;
  /** Where files asked for in this modal are posted: the conversation it was opened from. */
  channel: string | null;
}

export const FIRST_PAGE: Paging = { page: 0, cursor: null, trail: [] };
export const NO_FILTER: RunFilter = { user: null, tags: [], status: null };

// Bounds on every field, so that a location without a trail always fits in private_metadata
// (the unit tests check the worst case) and a decoded value can be trusted by the views.
export const NAME_MAX = 128;
export const ID_MAX = 128;
export const USER_MAX = 100;
export const TAG_MAX = 160;
export const TAGS_MAX = 4;
export const CURSOR_MAX = 400;
export const TRAIL_MAX = 30;
export const PAGE_MAX = 1_000_000;
export const ATTEMPT_MAX = 1000;

const VERSION = 'm1';
const STATUSES = ['running', 'successful', 'failed', 'lost'] as const;

const flowName = z.string().max(NAME_MAX).refine(isFlowName);
const stepName = z.string().max(NAME_MAX).refine(isStepName);
const id = z.string().max(ID_MAX).refine(isId);
/** Free text from users (user names, tags): anything printable. */
const freeText = (max: number) => z.string().min(1).max(max).regex(/^[^\p{Cc}]*$/u);
const cursor = z.string().min(1).max(CURSOR_MAX).regex(/^[\x21-\x7e]+$/);
const page = z.number().int().min(1).max(PAGE_MAX);
const depth = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const channel = z.string().regex(/^[A-Z0-9]{1,30}$/);

const common = { d: depth, c: channel.optional() };
const paged = { p: page.optional(), q: cursor.optional(), h: z.array(cursor.nullable()).min(1).max(TRAIL_MAX).optional() };
const taskFields = { f: flowName, r: id, s: stepName, t: id };

const wireSchema = z.discriminatedUnion('k', [
  z.strictObject({ k: z.literal('i'), ...common }),
  z.strictObject({ k: z.literal('fl'), ...common, p: page.optional() }),
  z.strictObject({
    k: z.literal('rs'),
    ...common,
    f: flowName,
    u: freeText(USER_MAX).optional(),
    g: z.array(freeText(TAG_MAX)).min(1).max(TAGS_MAX).optional(),
    x: z.enum(STATUSES).optional(),
    ...paged,
  }),
  z.strictObject({ k: z.literal('r'), ...common, f: flowName, r: id, p: page.optional() }),
  z.strictObject({ k: z.literal('s'), ...common, f: flowName, r: id, s: stepName, ...paged }),
  z.strictObject({ k: z.literal('t'), ...common, ...taskFields, p: page.optional() }),
  z.strictObject({ k: z.literal('a'), ...common, ...taskFields, n: stepName, p: page.optional() }),
  z.strictObject({
    k: z.literal('l'),
    ...common,
    ...taskFields,
    o: z.enum(['out', 'err']),
    a: z.number().int().min(0).max(ATTEMPT_MAX).optional(),
    ...paged,
  }),
]);

type Wire = z.infer<typeof wireSchema>;

function orUndefined<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

function pageWire(n: number): { p?: number } {
  return n > 0 ? { p: n } : {};
}

function pagingWire(p: Paging): { p?: number; q?: string; h?: (string | null)[] } {
  return { ...pageWire(p.page), ...(p.cursor === null ? {} : { q: p.cursor }), ...(p.trail.length > 0 ? { h: p.trail } : {}) };
}

function toWire(nav: Nav): Record<string, unknown> {
  const base = { d: nav.depth, ...(nav.channel === null ? {} : { c: nav.channel }) };
  const at = nav.at;
  switch (at.kind) {
    case 'inspect':
      return { k: 'i', ...base };
    case 'flows':
      return { k: 'fl', ...base, ...pageWire(at.page) };
    case 'runs':
      return {
        k: 'rs',
        ...base,
        f: at.flow,
        u: orUndefined(at.filter.user),
        g: at.filter.tags.length > 0 ? at.filter.tags : undefined,
        x: orUndefined(at.filter.status),
        ...pagingWire(at.paging),
      };
    case 'run':
      return { k: 'r', ...base, f: at.flow, r: at.run, ...pageWire(at.page) };
    case 'step':
      return { k: 's', ...base, f: at.flow, r: at.run, s: at.step, ...pagingWire(at.paging) };
    case 'task':
      return { k: 't', ...base, f: at.flow, r: at.run, s: at.step, t: at.task, ...pageWire(at.page) };
    case 'artifact':
      return { k: 'a', ...base, f: at.flow, r: at.run, s: at.step, t: at.task, n: at.name, ...pageWire(at.page) };
    case 'logs':
      return {
        k: 'l',
        ...base,
        f: at.flow,
        r: at.run,
        s: at.step,
        t: at.task,
        o: at.stream === 'stderr' ? 'err' : 'out',
        a: orUndefined(at.attempt),
        ...pagingWire(at.paging),
      };
  }
}

function pagingOf(w: { p?: number; q?: string; h?: (string | null)[] }): Paging {
  return { page: w.p ?? 0, cursor: w.q ?? null, trail: w.h ?? [] };
}

function fromWire(w: Wire): Location {
  switch (w.k) {
    case 'i':
      return { kind: 'inspect' };
    case 'fl':
      return { kind: 'flows', page: w.p ?? 0 };
    case 'rs':
      return { kind: 'runs', flow: w.f, filter: { user: w.u ?? null, tags: w.g ?? [], status: w.x ?? null }, paging: pagingOf(w) };
    case 'r':
      return { kind: 'run', flow: w.f, run: w.r, page: w.p ?? 0 };
    case 's':
      return { kind: 'step', flow: w.f, run: w.r, step: w.s, paging: pagingOf(w) };
    case 't':
      return { kind: 'task', flow: w.f, run: w.r, step: w.s, task: w.t, page: w.p ?? 0 };
    case 'a':
      return { kind: 'artifact', flow: w.f, run: w.r, step: w.s, task: w.t, name: w.n, page: w.p ?? 0 };
    case 'l':
      return {
        kind: 'logs',
        flow: w.f,
        run: w.r,
        step: w.s,
        task: w.t,
        stream: w.o === 'err' ? 'stderr' : 'stdout',
        attempt: w.a ?? null,
        paging: pagingOf(w),
      };
  }
}

/** A page's trail names pages before it, so it is never longer than the page number. */
function consistent(w: Wire): boolean {
  return !('h' in w) || w.h === undefined || w.h.length <= (w.p ?? 0);
}

/** Drops the front of the trail until the text fits; the page number stays right. */
function fitted(wire: Record<string, unknown>): string | null {
  const trail = Array.isArray(wire.h) ? [...(wire.h as unknown[])] : [];
  for (;;) {
    // JSON leaves out `undefined`, so an emptied trail disappears from the text.
    const text = VERSION + JSON.stringify({ ...wire, h: trail.length > 0 ? trail : undefined });
    if (text.length <= PRIVATE_METADATA_MAX) return text;
    if (trail.length === 0) return null;
    trail.shift();
  }
}

/**
 * The text for `private_metadata`, or null when a field is out of bounds (a name Metaflow
 * would not accept, a tag longer than TAG_MAX …): such a place cannot be shown in a view.
 */
export function encodeNav(nav: Nav): string | null {
  const wire = toWire(nav);
  const bounded = Array.isArray(wire.h) ? { ...wire, h: (wire.h as unknown[]).slice(-TRAIL_MAX) } : wire;
  const checked = wireSchema.safeParse(bounded);
  if (!checked.success || !consistent(checked.data)) return null;
  return fitted(bounded);
}

/** The location a view's `private_metadata` holds, or null for anything the bot did not write. */
export function decodeNav(text: string | null | undefined): Nav | null {
  if (typeof text !== 'string' || !text.startsWith(VERSION) || text.length > PRIVATE_METADATA_MAX) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text.slice(VERSION.length));
  } catch {
    return null;
  }
  const parsed = wireSchema.safeParse(raw);
  if (!parsed.success || !consistent(parsed.data)) return null;
  return { at: fromWire(parsed.data), depth: parsed.data.d, channel: parsed.data.c ?? null };
}

// ── moving around ─────────────────────────────────────────────────────────────────────────

export function nextPage(paging: Paging, cursor: string): Paging {
  return { page: paging.page + 1, cursor, trail: [...paging.trail, paging.cursor].slice(-TRAIL_MAX) };
}

/** The page before; the first page when the trail no longer reaches back that far. */
export function previousPage(paging: Paging): Paging {
  if (paging.trail.length === 0) return FIRST_PAGE;
  return { page: Math.max(0, paging.page - 1), cursor: paging.trail[paging.trail.length - 1], trail: paging.trail.slice(0, -1) };
}

/** What "Back" shows: one level up, whatever the path that led here. */
export function parentOf(at: Location): Location | null {
  switch (at.kind) {
    case 'inspect':
    case 'flows':
      return null;
    case 'runs':
      return { kind: 'flows', page: 0 };
    case 'run':
      return { kind: 'runs', flow: at.flow, filter: NO_FILTER, paging: FIRST_PAGE };
    case 'step':
      return { kind: 'run', flow: at.flow, run: at.run, page: 0 };
    case 'task':
      return { kind: 'step', flow: at.flow, run: at.run, step: at.step, paging: FIRST_PAGE };
    case 'artifact':
    case 'logs':
      return { kind: 'task', flow: at.flow, run: at.run, step: at.step, task: at.task, page: 0 };
  }
}

/** A change of view: pushed onto Slack's stack, or shown in place of the current one. */
export interface Move {
  nav: Nav;
  push: boolean;
}

/** Deeper: pushed while Slack's stack has room (3 views), in place after that. */
export function forward(from: Nav, at: Location): Move {
  if (from.depth < VIEW_STACK_MAX) return { nav: { ...from, at, depth: (from.depth + 1) as Depth }, push: true };
  return { nav: { ...from, at }, push: false };
}

export function replace(from: Nav, at: Location): Move {
  return { nav: { ...from, at }, push: false };
}

/** What a click in a modal asks for; the reducer below checks it fits where the view is. */
export type NavAction =
  | { type: 'back' }
  | { type: 'next'; cursor: string | null }
  | { type: 'previous' }
  | { type: 'flow'; flow: string }
  | { type: 'filter'; filter: Partial<RunFilter> }
  | { type: 'run'; flow: string; run: string }
  | { type: 'step'; step: string }
  | { type: 'task'; task: string }
  | { type: 'artifact'; name: string }
  | { type: 'logs'; stream: LogStream }
  | { type: 'attempt'; attempt: number };

function pageMove(from: Nav, direction: 'next' | 'previous', cursor: string | null): Move | null {
  const at = from.at;
  const step = direction === 'next' ? 1 : -1;
  switch (at.kind) {
    case 'flows':
    case 'run':
    case 'task':
    case 'artifact':
      if (at.page + step < 0) return null;
      return replace(from, { ...at, page: at.page + step });
    case 'runs':
    case 'step':
    case 'logs':
      if (direction === 'previous') return at.paging.page === 0 ? null : replace(from, { ...at, paging: previousPage(at.paging) });
      return cursor === null ? null : replace(from, { ...at, paging: nextPage(at.paging, cursor) });
    case 'inspect':
      return null;
  }
}

/**
 * Where `action` leads from the view `from` is showing, or null when it does not belong there
 * (a value forged, or left over from an older version of the view).
 */
export function navigate(from: Nav, action: NavAction): Move | null {
  const at = from.at;
  switch (action.type) {
    case 'back': {
      const parent = parentOf(at);
      return parent ? replace(from, parent) : null;
    }
    case 'next':
      return pageMove(from, 'next', action.cursor);
    case 'previous':
      return pageMove(from, 'previous', null);
    case 'flow':
      if ((at.kind !== 'flows' && at.kind !== 'runs') || !isFlowName(action.flow)) return null;
      return replace(from, { kind: 'runs', flow: action.flow, filter: NO_FILTER, paging: FIRST_PAGE });
    case 'filter':
      if (at.kind !== 'runs') return null;
      return replace(from, { ...at, filter: { ...at.filter, ...action.filter }, paging: FIRST_PAGE });
    case 'run':
      if (at.kind !== 'runs' || !isFlowName(action.flow) || !isId(action.run)) return null;
      return forward(from, { kind: 'run', flow: action.flow, run: action.run, page: 0 });
    case 'step':
      if (at.kind !== 'run' || !isStepName(action.step)) return null;
      return forward(from, { kind: 'step', flow: at.flow, run: at.run, step: action.step, paging: FIRST_PAGE });
    case 'task':
      if (at.kind !== 'step' || !isId(action.task)) return null;
      return forward(from, { kind: 'task', flow: at.flow, run: at.run, step: at.step, task: action.task, page: 0 });
    case 'artifact':
      if (at.kind !== 'task' || !isStepName(action.name)) return null;
      return forward(from, { kind: 'artifact', flow: at.flow, run: at.run, step: at.step, task: at.task, name: action.name, page: 0 });
    case 'logs':
      if (at.kind === 'logs') return replace(from, { ...at, stream: action.stream, paging: FIRST_PAGE });
      if (at.kind !== 'task') return null;
      return forward(from, { kind: 'logs', flow: at.flow, run: at.run, step: at.step, task: at.task, stream: action.stream, attempt: null, paging: FIRST_PAGE });
    case 'attempt':
      if (at.kind !== 'logs' || !Number.isInteger(action.attempt) || action.attempt < 0 || action.attempt > ATTEMPT_MAX) return null;
      return replace(from, { ...at, attempt: action.attempt, paging: FIRST_PAGE });
  }
}

/** The first view of a modal. */
export function rootNav(at: Location, channel: string | null): Nav {
  return { at, depth: 1, channel };
}
