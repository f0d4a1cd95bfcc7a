/**
 * The service's JSON checked at the edge and turned into the records of `../sources`.
 * Every reader names the endpoint, so a service that changed shape says where.
 * Shapes as the metadata service 2.5.1 writes them (docs/metaflow-service-api.md §1.2): ids
 * are numbers or strings, `ts_epoch` is ms, `last_heartbeat_ts` is seconds, tags may be null.
 */
import { BackendDataError } from '../errors';
import type { ArtifactRecord, FlowRecord, MetadataEntry, RunRecord, StepRecord, TaskRecord } from '../sources';

type Json = Record<string, unknown>;

/** A metadata row with the task it belongs to, for run-wide metadata lists. */
export interface ServiceMetadataRow {
  step: string;
  task: string;
  /** The service's serial id: the order in which rows were written. */
  id: number;
  entry: MetadataEntry;
}

export function expectList(body: unknown, endpoint: string): unknown[] {
  if (!Array.isArray(body)) throw shapeError(endpoint, 'a list');
  return body;
}

export function toFlowRecord(raw: unknown, endpoint: string): FlowRecord {
  const o = object(raw, endpoint);
  return { name: string(o, 'flow_id', endpoint), createdAt: number(o, 'ts_epoch', endpoint) };
}

export function toRunRecord(raw: unknown, endpoint: string): RunRecord {
  const o = object(raw, endpoint);
  const verified = nullableString(o, 'user', endpoint);
  return {
    flow: string(o, 'flow_id', endpoint),
    id: id(o, 'run_number', endpoint),
    user: verified ?? nullableString(o, 'user_name', endpoint),
    tags: stringList(o, 'tags', endpoint),
    systemTags: stringList(o, 'system_tags', endpoint),
    createdAt: number(o, 'ts_epoch', endpoint),
    heartbeatAt: heartbeat(o, endpoint),
  };
}

export function toStepRecord(raw: unknown, endpoint: string): StepRecord {
  const o = object(raw, endpoint);
  return { name: string(o, 'step_name', endpoint), createdAt: number(o, 'ts_epoch', endpoint) };
}

export function toTaskRecord(raw: unknown, endpoint: string): TaskRecord {
  const o = object(raw, endpoint);
  return {
    step: string(o, 'step_name', endpoint),
    id: id(o, 'task_id', endpoint),
    createdAt: number(o, 'ts_epoch', endpoint),
    heartbeatAt: heartbeat(o, endpoint),
  };
}

export function toMetadataRow(raw: unknown, endpoint: string): ServiceMetadataRow {
  const o = object(raw, endpoint);
  const field = string(o, 'field_name', endpoint);
  const tags = stringList(o, 'tags', endpoint);
  return {
    step: string(o, 'step_name', endpoint),
    task: id(o, 'task_id', endpoint),
    id: number(o, 'id', endpoint),
    entry: {
      field,
      value: field === 'foreach-stack' ? foreachStack(o.value) : o.value,
      type: string(o, 'type', endpoint),
      attempt: attemptFromTags(tags),
      ts: number(o, 'ts_epoch', endpoint),
    },
  };
}

export function toArtifactRecord(raw: unknown, endpoint: string): ArtifactRecord {
  const o = object(raw, endpoint);
  const location = artifactLocation(nullableString(o, 'location', endpoint));
  return {
    name: string(o, 'name', endpoint),
    sha: string(o, 'sha', endpoint),
    attempt: number(o, 'attempt_id', endpoint),
    encoding: string(o, 'content_type', endpoint),
    createdAt: number(o, 'ts_epoch', endpoint),
    ...(location ? { location } : {}),
  };
}

/** `:root:` and the datastore root the value was written under (§1.2); older clients wrote the object's own URL. */
function artifactLocation(location: string | null): string | null {
  const where = location?.startsWith(':root:') ? location.slice(':root:'.length) : location;
  return where || null;
}

/** `attempt_id:<n>` is how the service ties a metadata row to an attempt; rows of no attempt have none. */
function attemptFromTags(tags: string[]): number | null {
  for (const tag of tags) {
    const m = /^attempt_id:(\d+)$/.exec(tag);
    if (m) return Number(m[1]);
  }
  return null;
}

/**
 * Metaflow writes `foreach-stack` as a list of `var=value` strings. The service stores it in a
 * text column, so PostgreSQL hands back its array literal (`{items=b}`, seen); some versions
 * keep it as a JSON list. Both become the list, as in a local `.metaflow`; anything else stays.
 */
export function foreachStack(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      return value;
    }
  }
  if (text.startsWith('{') && text.endsWith('}')) return parsePgArray(text.slice(1, -1)) ?? value;
  return value;
}

/** Elements of a one-dimensional PostgreSQL text array literal: quoted with `\` escapes, or bare. */
function parsePgArray(inner: string): string[] | null {
  const items: string[] = [];
  if (inner === '') return items;
  let i = 0;
  for (;;) {
    let item = '';
    if (inner[i] === '"') {
      for (i += 1; i < inner.length && inner[i] !== '"'; i += 1) {
        if (inner[i] === '\\') i += 1;
        item += inner[i] ?? '';
      }
      if (inner[i] !== '"') return null;
      i += 1;
    } else {
      while (i < inner.length && inner[i] !== ',') item += inner[i++];
      item = item.trim();
    }
    items.push(item);
    if (i >= inner.length) return items;
    if (inner[i] !== ',') return null;
    i += 1;
  }
}

function heartbeat(o: Json, endpoint: string): number | null {
  const seconds = o.last_heartbeat_ts;
  if (seconds === null || seconds === undefined) return null;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) throw shapeError(endpoint, 'a number in last_heartbeat_ts');
  return seconds * 1000;
}

function object(raw: unknown, endpoint: string): Json {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw shapeError(endpoint, 'an object');
  return raw as Json;
}

function string(o: Json, key: string, endpoint: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw shapeError(endpoint, `a string in ${key}`);
  return v;
}

function nullableString(o: Json, key: string, endpoint: string): string | null {
  const v = o[key];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw shapeError(endpoint, `a string or null in ${key}`);
  return v;
}

function number(o: Json, key: string, endpoint: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw shapeError(endpoint, `a number in ${key}`);
  return v;
}

/** Run and task ids: the number, or the string id of scheduler-made runs; always a string here. */
function id(o: Json, key: string, endpoint: string): string {
  const v = o[key];
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  if (typeof v === 'string' && v !== '') return v;
  throw shapeError(endpoint, `a number or string in ${key}`);
}

function stringList(o: Json, key: string, endpoint: string): string[] {
  const v = o[key];
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) throw shapeError(endpoint, `a list of strings in ${key}`);
  return v;
}

function shapeError(endpoint: string, expected: string): BackendDataError {
  return new BackendDataError(`The Metaflow metadata service answered GET ${endpoint} without ${expected}.`);
}
