/**
 * The metadata half of a local `.metaflow` folder: `_meta/_self.json` objects, `sysmeta_*`
 * entries and artifact index files (metaflow-local-format.md §2–§8).
 */
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { NotFoundError } from '../errors';
import type {
  ArtifactRecord,
  AttemptRecord,
  FlowRecord,
  MetadataEntry,
  MetadataSource,
  RunListQuery,
  RunRecord,
  RunRecordPage,
  StepRecord,
  TaskRecord,
} from '../sources';
import { fileMtime, listDir, listSubdirs, readJson } from './files';
import { mapLimit } from '../concurrency';

interface SelfJson {
  ts_epoch?: number;
  user_name?: string;
  tags?: string[];
  system_tags?: string[];
}

interface SysmetaJson {
  field_name: string;
  value: unknown;
  type: string;
  tags?: string[];
  ts_epoch: number;
}

interface ArtifactIndexJson {
  name: string;
  sha: string;
  attempt_id: number;
  content_type?: string;
  ts_epoch: number;
}

/** Folder names that come from user input must never climb out of the root. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.:@+-]*$/;
/** About 300 bytes each (and a settled promise): at most some 40 MB. */
const RUN_RECORDS_MAX = 100_000;
/** Tags added with `run.add_tag` show within this. */
const RUN_RECORD_TTL_MS = 30_000;

function checkSegments(what: string, ...segments: string[]): void {
  if (!segments.every((s) => SEGMENT.test(s) && s !== '..')) throw new NotFoundError(what);
}

/** Local run ids are the creation time in µs; a re-tag rewrites `ts_epoch` (§12.3), the id never. */
function creationTime(id: string, tsEpoch: number | undefined): number {
  if (/^\d{16}$/.test(id)) return Math.floor(Number(id) / 1000);
  return tsEpoch ?? 0;
}

/** The run's owner is its `user:` system tag; `user_name` is whoever last changed the tags. */
function ownerOf(self: SelfJson): string | null {
  const tag = (self.system_tags ?? []).find((t) => t.startsWith('user:'));
  return tag ? tag.slice('user:'.length) : (self.user_name ?? null);
}

export function attemptOf(tags: string[] | undefined): number | null {
  const tag = (tags ?? []).find((t) => t.startsWith('attempt_id:'));
  if (!tag) return null;
  const n = Number(tag.slice('attempt_id:'.length));
  return Number.isInteger(n) ? n : null;
}

/** `sysmeta_<field>_<ts>.json`: the field may hold `_` and `-`, the ts never does. */
function sysmetaName(file: string): { field: string; ts: number } | null {
  if (!file.startsWith('sysmeta_') || !file.endsWith('.json')) return null;
  const body = file.slice('sysmeta_'.length, -'.json'.length);
  const cut = body.lastIndexOf('_');
  if (cut <= 0) return null;
  const ts = Number(body.slice(cut + 1));
  return Number.isFinite(ts) ? { field: body.slice(0, cut), ts } : null;
}

function compareRunIdsNewestFirst(a: { id: string; createdAt: number }, b: { id: string; createdAt: number }): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Reads bounded in number so a 10,000-run folder does not open 10,000 files at once. */
const IO_CONCURRENCY = 64;

export class LocalMetadataSource implements MetadataSource {
  readonly kind = 'local' as const;
  /**
   * Run objects read lately. A filter by user or tag reads every run of a flow until a page
   * is full: App Home asks that of every flow for every user, and a 10,000-run flow is 10,000
   * files. A run's `_self.json` changes only when its tags do, so a short life is enough.
   */
  private readonly runs = new LRUCache<string, Promise<RunRecord | null>>({ max: RUN_RECORDS_MAX, ttl: RUN_RECORD_TTL_MS });

  constructor(readonly root: string) {}

  get location(): string {
    return this.root;
  }

  async listFlows(): Promise<FlowRecord[]> {
    const names = await listSubdirs(this.root);
    const flows = await mapLimit(names, IO_CONCURRENCY, async (name) => {
      if (!SEGMENT.test(name)) return null;
      const self = await readJson<SelfJson>(join(this.root, name, '_meta', '_self.json'));
      return self ? { name, createdAt: self.ts_epoch ?? 0 } : null;
    });
    return flows.filter((f): f is FlowRecord => f !== null).sort((a, b) => a.name.localeCompare(b.name));
  }

  async getFlow(flow: string): Promise<FlowRecord> {
    checkSegments(flow, flow);
    const self = await readJson<SelfJson>(join(this.root, flow, '_meta', '_self.json'));
    if (!self) throw new NotFoundError(flow);
    return { name: flow, createdAt: self.ts_epoch ?? 0 };
  }

  /**
   * Run folders sorted by creation without opening them (the id is the creation time), then
   * opened only as far as the page needs. Non-numeric ids (rare locally) need their files read.
   */
  async listRuns(flow: string, query: RunListQuery, page: { limit: number; cursor: string | null }): Promise<RunRecordPage> {
    checkSegments(flow, flow);
    const ids = (await listSubdirs(join(this.root, flow))).filter((d) => d !== '_meta' && d !== 'data' && SEGMENT.test(d));
    let order: string[];
    if (ids.every((id) => /^\d{16}$/.test(id))) {
      order = ids.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    } else {
      const records = await mapLimit(ids, IO_CONCURRENCY, (id) => this.readRun(flow, id));
      order = records
        .filter((r): r is RunRecord => r !== null)
        .sort(compareRunIdsNewestFirst)
        .map((r) => r.id);
    }
    const filtered = Boolean(query.user) || (query.tags?.length ?? 0) > 0;
    let index = page.cursor ? Number(page.cursor) : 0;
    if (!Number.isInteger(index) || index < 0) index = 0;
    const runs: RunRecord[] = [];
    while (index < order.length && runs.length < page.limit) {
      const batch = order.slice(index, index + Math.max(page.limit - runs.length, filtered ? IO_CONCURRENCY : 1));
      const records = await mapLimit(batch, IO_CONCURRENCY, (id) => this.readRun(flow, id));
      for (const record of records) {
        index += 1;
        if (record && matches(record, query)) runs.push(record);
        if (runs.length === page.limit) break;
      }
    }
    return { runs, next: index < order.length ? String(index) : null, total: filtered ? null : order.length };
  }

  async getRun(flow: string, run: string): Promise<RunRecord> {
    checkSegments(`${flow}/${run}`, flow, run);
    const record = await this.readRun(flow, run);
    if (!record) throw new NotFoundError(`${flow}/${run}`);
    return record;
  }

  /** Concurrent readers of one run (several users' App Homes) share one read. */
  private readRun(flow: string, id: string): Promise<RunRecord | null> {
    const key = `${flow}/${id}`;
    let reading = this.runs.get(key);
    if (!reading) {
      reading = this.readRunFile(flow, id);
      this.runs.set(key, reading);
      // A run not there yet (or a failed read) is looked for again next time.
      reading.then(
        (record) => record === null && this.runs.delete(key),
        () => this.runs.delete(key),
      );
    }
    return reading;
  }

  private async readRunFile(flow: string, id: string): Promise<RunRecord | null> {
    const self = await readJson<SelfJson>(join(this.root, flow, id, '_meta', '_self.json'));
    if (!self) return null;
    return {
      flow,
      id,
      user: ownerOf(self),
      tags: self.tags ?? [],
      systemTags: self.system_tags ?? [],
      createdAt: creationTime(id, self.ts_epoch),
      heartbeatAt: null,
    };
  }

  async listSteps(flow: string, run: string): Promise<StepRecord[]> {
    checkSegments(`${flow}/${run}`, flow, run);
    const names = (await listSubdirs(join(this.root, flow, run))).filter((n) => !n.startsWith('_') && SEGMENT.test(n));
    const steps = await mapLimit(names, IO_CONCURRENCY, async (name) => {
      const self = await readJson<SelfJson>(join(this.root, flow, run, name, '_meta', '_self.json'));
      return self ? { name, createdAt: self.ts_epoch ?? 0 } : null;
    });
    return steps.filter((s): s is StepRecord => s !== null);
  }

  async listTasks(flow: string, run: string, step: string): Promise<TaskRecord[]> {
    checkSegments(`${flow}/${run}/${step}`, flow, run, step);
    const ids = (await listSubdirs(join(this.root, flow, run, step))).filter((n) => n !== '_meta' && SEGMENT.test(n));
    const tasks = await mapLimit(ids, IO_CONCURRENCY, (id) => this.readTask(flow, run, step, id));
    return tasks.filter((t): t is TaskRecord => t !== null);
  }

  async getTask(flow: string, run: string, step: string, task: string): Promise<TaskRecord> {
    checkSegments(`${flow}/${run}/${step}/${task}`, flow, run, step, task);
    const record = await this.readTask(flow, run, step, task);
    if (!record) throw new NotFoundError(`${flow}/${run}/${step}/${task}`);
    return record;
  }

  private async readTask(flow: string, run: string, step: string, id: string): Promise<TaskRecord | null> {
    const self = await readJson<SelfJson>(join(this.root, flow, run, step, id, '_meta', '_self.json'));
    return self ? { step, id, createdAt: self.ts_epoch ?? 0, heartbeatAt: null } : null;
  }

  async taskMetadata(flow: string, run: string, step: string, task: string): Promise<MetadataEntry[]> {
    checkSegments(`${flow}/${run}/${step}/${task}`, flow, run, step, task);
    return this.readSysmeta(join(this.root, flow, run, step, task, '_meta'), () => true);
  }

  private async readSysmeta(metaDir: string, want: (field: string) => boolean): Promise<MetadataEntry[]> {
    const files = (await listDir(metaDir)).filter((f) => {
      const parsed = sysmetaName(f);
      return parsed !== null && want(parsed.field);
    });
    const entries = await mapLimit(files, IO_CONCURRENCY, async (file) => {
      const raw = await readJson<SysmetaJson>(join(metaDir, file));
      if (!raw) return null;
      return { field: raw.field_name, value: raw.value, type: raw.type, attempt: attemptOf(raw.tags), ts: raw.ts_epoch };
    });
    return entries.filter((e): e is MetadataEntry => e !== null).sort((a, b) => a.ts - b.ts);
  }

  async endStep(flow: string, run: string): Promise<string | null> {
    checkSegments(`${flow}/${run}`, flow, run);
    const stepDir = join(this.root, flow, run, '_parameters');
    for (const task of (await listSubdirs(stepDir)).filter((n) => n !== '_meta' && SEGMENT.test(n))) {
      const entries = await this.readSysmeta(join(stepDir, task, '_meta'), (f) => f === 'end_step');
      const value = entries.pop()?.value;
      if (typeof value === 'string') return value;
    }
    return null;
  }

  async stepAttempts(flow: string, run: string, step: string): Promise<Map<string, AttemptRecord[]>> {
    checkSegments(`${flow}/${run}/${step}`, flow, run, step);
    const ids = (await listSubdirs(join(this.root, flow, run, step))).filter((n) => n !== '_meta' && SEGMENT.test(n));
    const result = new Map<string, AttemptRecord[]>();
    await mapLimit(ids, IO_CONCURRENCY, async (id) => {
      result.set(id, await this.taskAttemptsIn(join(this.root, flow, run, step, id)));
    });
    return result;
  }

  async taskAttempts(flow: string, run: string, step: string, task: string): Promise<AttemptRecord[]> {
    checkSegments(`${flow}/${run}/${step}/${task}`, flow, run, step, task);
    return this.taskAttemptsIn(join(this.root, flow, run, step, task));
  }

  /**
   * Attempts from the entries that mark them (`attempt`, `attempt_ok`, `attempt-done`); the
   * `<a>.DONE.lock` files cover tasks whose metadata is older than those fields.
   */
  private async taskAttemptsIn(taskDir: string): Promise<AttemptRecord[]> {
    const [files, entries] = await Promise.all([
      listDir(taskDir),
      this.readSysmeta(join(taskDir, '_meta'), (f) => f === 'attempt' || f === 'attempt_ok' || f === 'attempt-done'),
    ]);
    const attempts = new Map<number, AttemptRecord>();
    const get = (n: number): AttemptRecord => {
      let a = attempts.get(n);
      if (!a) attempts.set(n, (a = { attempt: n, startedAt: null, doneAt: null, ok: null }));
      return a;
    };
    for (const file of files) {
      const m = /^(\d+)\.(attempt\.json|DONE\.lock)$/.exec(file);
      if (m) get(Number(m[1]));
    }
    for (const e of entries) {
      const n = e.field === 'attempt-done' || e.field === 'attempt' ? Number(e.value) : e.attempt;
      if (n === null || !Number.isInteger(n)) continue;
      const a = get(n);
      if (e.field === 'attempt') a.startedAt = a.startedAt === null ? e.ts : Math.min(a.startedAt, e.ts);
      else if (e.field === 'attempt-done') a.doneAt = e.ts;
      else a.ok = e.value === 'True';
    }
    // Older metadata lacks these entries: the files' own times stand in.
    for (const a of attempts.values()) {
      if (a.doneAt === null && files.includes(`${a.attempt}.DONE.lock`)) {
        a.doneAt = await fileMtime(join(taskDir, `${a.attempt}.DONE.lock`));
      }
      if (a.startedAt === null) {
        const attemptFile = await readJson<{ time?: number }>(join(taskDir, `${a.attempt}.attempt.json`));
        if (typeof attemptFile?.time === 'number') a.startedAt = Math.round(attemptFile.time * 1000);
      }
    }
    return [...attempts.values()].sort((x, y) => x.attempt - y.attempt);
  }

  async listArtifacts(flow: string, run: string, step: string, task: string, attempt: number): Promise<ArtifactRecord[]> {
    checkSegments(`${flow}/${run}/${step}/${task}`, flow, run, step, task);
    const metaDir = join(this.root, flow, run, step, task, '_meta');
    const prefix = `${attempt}_artifact_`;
    const files = (await listDir(metaDir)).filter((f) => f.startsWith(prefix) && f.endsWith('.json'));
    const records = await mapLimit(files, IO_CONCURRENCY, async (file) => {
      const raw = await readJson<ArtifactIndexJson>(join(metaDir, file));
      if (!raw) return null;
      return {
        name: raw.name,
        sha: raw.sha,
        attempt: raw.attempt_id,
        encoding: raw.content_type ?? 'gzip+pickle-v2',
        createdAt: raw.ts_epoch,
      };
    });
    return records.filter((r): r is ArtifactRecord => r !== null).sort((a, b) => a.name.localeCompare(b.name));
  }
}

function matches(run: RunRecord, query: RunListQuery): boolean {
  if (query.user && run.user !== query.user) return false;
  const all = new Set([...run.tags, ...run.systemTags]);
  return (query.tags ?? []).every((t) => all.has(t));
}
