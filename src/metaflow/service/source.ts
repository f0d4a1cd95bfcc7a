/**
 * The metadata service as a MetadataSource: which endpoint answers which question, what a
 * 404 or an empty list means there, and which answers are worth keeping for a few seconds.
 */
import { LRUCache } from 'lru-cache';
import { BackendDataError, NotFoundError } from '../errors';
import { runPathspec, taskPathspec } from '../model';
import type { ArtifactRecord, AttemptRecord, FlowRecord, MetadataEntry, MetadataSource, RunListQuery, RunRecord, RunRecordPage, StepRecord, TaskRecord } from '../sources';
import { attemptsByTask } from './attempts';
import { createServiceHttp, header, parseJson, type HttpAnswer, type ServiceOptions } from './http';
import {
  expectList,
  toArtifactRecord,
  toFlowRecord,
  toMetadataRow,
  toRunRecord,
  toStepRecord,
  toTaskRecord,
  type ServiceMetadataRow,
} from './records';
import {
  compareIds,
  listedPositionOf,
  MAX_PAGE,
  matchesQuery,
  newestFirst,
  pagedCursor,
  pagedQuery,
  pageOfList,
  serviceCursorOf,
  supportsRunPaging,
} from './runs';

export interface ServiceMetadataSource extends MetadataSource {
  close(): Promise<void>;
  /** HTTP requests sent so far, retries included. */
  stats(): { requests: number };
  /** `METADATA_SERVICE_VERSION` from `/ping`, asked once; null when the service sends none. */
  serviceVersion(): Promise<string | null>;
}

/** A full run list of an old service: long enough to page through it, short enough to see new runs soon. */
const RUN_LIST_TTL_MS = 5000;
/** One run's metadata serves every step of a run page; a running run's is stale soon. */
const RUN_METADATA_TTL_MS = 2000;

export function createServiceMetadataSource(opts: ServiceOptions): ServiceMetadataSource {
  const http = createServiceHttp(opts);
  const runLists = memo<RunRecord[]>(32, RUN_LIST_TTL_MS);
  const runMetadata = memo<ServiceMetadataRow[]>(32, RUN_METADATA_TTL_MS);
  let version: Promise<string | null> | null = null;

  async function getObject<T>(endpoint: string, pathspec: string, map: (raw: unknown, endpoint: string) => T): Promise<T> {
    const body = bodyOf(await http.get(endpoint), endpoint);
    if (body === null) throw new NotFoundError(pathspec);
    return map(body, endpoint);
  }

  async function getList<T>(endpoint: string, map: (raw: unknown, endpoint: string) => T): Promise<T[]> {
    return listOf(bodyOf(await http.get(endpoint), endpoint), endpoint, map);
  }

  /** The real service answers an unknown parent with `[]`; a 404 here means the URL is not a metadata service. */
  function listOf<T>(body: unknown, endpoint: string, map: (raw: unknown, endpoint: string) => T): T[] {
    if (body === null) {
      throw new BackendDataError(
        `The Metaflow metadata service at ${http.location} has no GET ${endpoint} (HTTP 404); check METAFLOW_SERVICE_URL.`,
      );
    }
    return expectList(body, endpoint).map((raw) => map(raw, endpoint));
  }

  function serviceVersion(): Promise<string | null> {
    if (!version) {
      const asked = http.get('/ping').then((answer) => (answer.status === 200 ? header(answer, 'METADATA_SERVICE_VERSION') : null));
      // A failure is not an answer: ask again next time.
      asked.catch(() => {
        if (version === asked) version = null;
      });
      version = asked;
    }
    return version;
  }

  async function listRuns(flow: string, query: RunListQuery, page: { limit: number; cursor: string | null }): Promise<RunRecordPage> {
    const limit = Math.min(Math.max(1, Math.floor(page.limit)), MAX_PAGE);
    const base = path('flows', flow, 'runs');
    if (!base) return { runs: [], next: null, total: 0 };
    if (supportsRunPaging(await serviceVersion())) {
      const endpoint = `${base}?${pagedQuery(query, limit, page.cursor ? serviceCursorOf(page.cursor) : null)}`;
      const answer = await http.get(endpoint);
      const runs = listOf(bodyOf(answer, endpoint), endpoint, toRunRecord);
      const next = header(answer, 'X-Next-Cursor');
      return {
        runs: runs.filter((r) => matchesQuery(r, query)),
        next: next ? pagedCursor(next) : null,
        total: null,
      };
    }
    const after = page.cursor ? listedPositionOf(page.cursor) : null;
    const all = await runLists(flow, async () => (await getList(base, toRunRecord)).sort(newestFirst));
    const matching = all.filter((r) => matchesQuery(r, query));
    return { ...pageOfList(matching, limit, after), total: matching.length };
  }

  async function runMetadataRows(flow: string, run: string): Promise<ServiceMetadataRow[]> {
    const endpoint = path('flows', flow, 'runs', run, 'metadata');
    if (!endpoint) return [];
    return runMetadata(runPathspec(flow, run), () => getList(endpoint, toMetadataRow));
  }

  return {
    kind: 'service',
    location: http.location,

    async listFlows(): Promise<FlowRecord[]> {
      return (await getList('/flows', toFlowRecord)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async getFlow(flow: string): Promise<FlowRecord> {
      return getObject(path('flows', flow) ?? notFound(flow), flow, toFlowRecord);
    },

    listRuns,

    async getRun(flow: string, run: string): Promise<RunRecord> {
      const pathspec = runPathspec(flow, run);
      return getObject(path('flows', flow, 'runs', run) ?? notFound(pathspec), pathspec, toRunRecord);
    },

    async listSteps(flow: string, run: string): Promise<StepRecord[]> {
      const endpoint = path('flows', flow, 'runs', run, 'steps');
      if (!endpoint) return [];
      return (await getList(endpoint, toStepRecord)).sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1));
    },

    async listTasks(flow: string, run: string, step: string): Promise<TaskRecord[]> {
      const endpoint = path('flows', flow, 'runs', run, 'steps', step, 'tasks');
      if (!endpoint) return [];
      return (await getList(endpoint, toTaskRecord)).sort((a, b) => a.createdAt - b.createdAt || compareIds(a.id, b.id));
    },

    async getTask(flow: string, run: string, step: string, task: string): Promise<TaskRecord> {
      const pathspec = taskPathspec(flow, run, step, task);
      return getObject(path('flows', flow, 'runs', run, 'steps', step, 'tasks', task) ?? notFound(pathspec), pathspec, toTaskRecord);
    },

    async taskMetadata(flow: string, run: string, step: string, task: string): Promise<MetadataEntry[]> {
      const endpoint = path('flows', flow, 'runs', run, 'steps', step, 'tasks', task, 'metadata');
      if (!endpoint) return [];
      const rows = await getList(endpoint, toMetadataRow);
      return rows.sort((a, b) => a.entry.ts - b.entry.ts || a.id - b.id).map((r) => r.entry);
    },

    async endStep(flow: string, run: string): Promise<string | null> {
      const rows = await runMetadataRows(flow, run);
      const entry = rows.filter((r) => r.step === '_parameters' && r.entry.field === 'end_step').pop();
      return typeof entry?.entry.value === 'string' ? entry.entry.value : null;
    },

    // One run-wide metadata call (cached briefly) answers every step of the run: a run page
    // asks for all its steps, and per-task metadata would cost a task list plus one call a task.
    async stepAttempts(flow: string, run: string, step: string): Promise<Map<string, AttemptRecord[]>> {
      return attemptsByTask(await runMetadataRows(flow, run), step);
    },

    async taskAttempts(flow: string, run: string, step: string, task: string): Promise<AttemptRecord[]> {
      return attemptsByTask(await runMetadataRows(flow, run), step).get(task) ?? [];
    },

    async listArtifacts(flow: string, run: string, step: string, task: string, attempt: number): Promise<ArtifactRecord[]> {
      if (!Number.isInteger(attempt) || attempt < 0) return [];
      const endpoint = path('flows', flow, 'runs', run, 'steps', step, 'tasks', task, 'attempt', String(attempt), 'artifacts');
      if (!endpoint) return [];
      return (await getList(endpoint, toArtifactRecord)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async close(): Promise<void> {
      runLists.clear();
      runMetadata.clear();
      await http.close();
    },

    stats: () => ({ requests: http.requestCount() }),
    serviceVersion,
  };
}

/**
 * The endpoint for these path segments, or null when a segment cannot name anything (empty,
 * `.`, `..`): names come from users, and must never walk the service's URL space.
 */
function path(...segments: string[]): string | null {
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  return '/' + segments.map(encodeURIComponent).join('/');
}

function notFound(pathspec: string): never {
  throw new NotFoundError(pathspec);
}

/** The JSON body, or null for a 404; other client errors name the endpoint and the service's reason. */
function bodyOf(answer: HttpAnswer, endpoint: string): unknown {
  if (answer.status === 404) return null;
  if (answer.status < 200 || answer.status >= 300) {
    const reason = serviceReason(answer.text);
    throw new BackendDataError(
      `The Metaflow metadata service rejected GET ${endpoint} (HTTP ${answer.status}${reason ? `: ${reason}` : ''}).`,
    );
  }
  return parseJson(answer, endpoint);
}

/** 400 bodies are a JSON string (`"Invalid cursor"`); anything longer or stranger is left out. */
function serviceReason(text: string): string | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' && value.length <= 200 ? value : null;
  } catch {
    return null;
  }
}

type Memo<V> = ((key: string, load: () => Promise<V>) => Promise<V>) & { clear(): void };

/** Shares one fetch among concurrent callers and keeps its result for `ttlMs`; failures are not kept. */
function memo<V extends object>(max: number, ttlMs: number): Memo<V> {
  const cache = new LRUCache<string, Promise<V>>({ max, ttl: ttlMs });
  const get = (key: string, load: () => Promise<V>): Promise<V> => {
    const cached = cache.get(key);
    if (cached) return cached;
    const loading = load();
    cache.set(key, loading);
    loading.catch(() => {
      if (cache.get(key) === loading) cache.delete(key);
    });
    return loading;
  };
  return Object.assign(get, { clear: () => cache.clear() });
}
