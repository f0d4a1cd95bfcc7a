/**
 * The read-only Metaflow client: flows, runs, steps, tasks, artifacts and logs as plain
 * objects, with Metaflow's status rules, whatever backend holds the data. It knows nothing of
 * Slack. Every read goes through one cache (`cache.ts`) whose lifetimes follow what can still
 * change.
 */
import { ClientCache, type Lifetime } from './cache';
import { mapLimit } from './concurrency';
import { formatMegabytes, NotFoundError, TooLargeError } from './errors';
import { parseGraphInfo } from './graph';
import { readLogTail, readWholeLog, type LogPage } from './logtail';
import { logText } from './mflog';
import type {
  Artifact,
  Attempt,
  Flow,
  FlowGraph,
  LogStream,
  Page,
  Parameter,
  Run,
  RunDetail,
  RunStatus,
  Step,
  Task,
  TaskException,
} from './model';
import { runPathspec, taskPathspec } from './model';
import { decodePickle, exceptionFromPickle, previewPickle, pyToJs } from './pickle';
import type { RunQuery } from './runspec';
import { formatRunQuery, suggestName } from './runspec';
import type { ArtifactRecord, AttemptRecord, Datastore, MetadataSource, RunListQuery, RunRecord } from './sources';
import {
  attemptStatus,
  DEFAULT_LOST_AFTER_MS,
  isSettled,
  lastSignOfLife,
  newestAttempt,
  runStatus,
  stepStatus,
  type StatusClock,
} from './status';

export interface ClientOptions {
  metadata: MetadataSource;
  datastore: Datastore;
  /** How long an unfinished run may stay silent before it counts as lost. */
  lostAfterMs?: number;
  /** How long lists and unfinished objects are cached. */
  shortTtlMs?: number;
  /** Stored blob size above which an artifact is not fetched for a preview. */
  maxPreviewBytes?: number;
  cache?: ClientCache;
  now?: () => number;
}

export interface TaskRef {
  flow: string;
  run: string;
  step: string;
  task: string;
}

export interface RunListOptions {
  user?: string;
  tags?: string[];
  status?: RunStatus[];
  limit?: number;
  cursor?: string | null;
}

export interface TaskListOptions {
  limit?: number;
  cursor?: string | null;
  /** Failed tasks, then running and lost ones, before the successful: what a user looks for first. */
  problemsFirst?: boolean;
}

export interface ArtifactOptions {
  attempt?: number;
  /** Also list `_`-named artifacts (`_task_ok`, `_graph_info` …), which Metaflow's client hides. */
  includeInternal?: boolean;
  previewLength?: number;
}

export type Resolution =
  | { kind: 'runs'; flow: string; query: RunQuery; page: Page<Run> }
  | { kind: 'run'; run: Run }
  | { kind: 'step'; run: Run; step: Step }
  | { kind: 'task'; run: Run; task: Task };

const DEFAULT_PREVIEW_LENGTH = 300;
const STATUS_CONCURRENCY = 8;
const PARAMETERS_STEP = '_parameters';

/** Python's `str(type(v))` as `data.json` records it: `<class 'int'>` → `int`. */
export function pythonTypeName(info: string | undefined): string | null {
  if (!info) return null;
  const m = /^<(?:class|type) '(.+)'>$/.exec(info);
  if (!m) return info;
  return m[1].startsWith('builtins.') ? m[1].slice('builtins.'.length) : m[1];
}

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor<T>(cursor: string | null | undefined, fallback: T): T {
  if (!cursor) return fallback;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
  } catch {
    return fallback;
  }
}

function numericOrder(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

const PROBLEM_RANK: Record<RunStatus, number> = { failed: 0, running: 1, lost: 2, successful: 3 };

interface RunState {
  run: Run;
  settled: boolean;
}

interface StepState {
  step: Step;
  tasks: Map<string, AttemptRecord[]>;
}

export class MetaflowClient {
  readonly metadata: MetadataSource;
  readonly datastore: Datastore;
  readonly cache: ClientCache;
  private readonly lostAfterMs: number;
  private readonly shortTtlMs: number;
  private readonly maxPreviewBytes: number;
  private readonly now: () => number;

  constructor(opts: ClientOptions) {
    this.metadata = opts.metadata;
    this.datastore = opts.datastore;
    this.lostAfterMs = opts.lostAfterMs ?? DEFAULT_LOST_AFTER_MS;
    this.shortTtlMs = opts.shortTtlMs ?? 5000;
    this.maxPreviewBytes = opts.maxPreviewBytes ?? 16 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
    this.cache = opts.cache ?? new ClientCache();
  }

  private clock(): StatusClock {
    return { now: this.now(), lostAfterMs: this.lostAfterMs };
  }

  private short(): Lifetime {
    return { ttlMs: this.shortTtlMs };
  }

  private settled(run: Run): boolean {
    return isSettled(run.status, run.lastSeenAt, this.clock());
  }

  // ── flows ────────────────────────────────────────────────────────────────────────────

  async listFlows(): Promise<Flow[]> {
    return this.cache.get('flows', () => this.metadata.listFlows(), () => this.short());
  }

  /** The flow, or NotFoundError that suggests a flow whose name differs only by case or a typo. */
  async getFlow(name: string): Promise<Flow> {
    try {
      return await this.cache.get(`flow:${name}`, () => this.metadata.getFlow(name), () => 'forever');
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      const known = (await this.listFlows()).map((f) => f.name);
      throw new NotFoundError(`Flow ${name}`, suggestName(name, known));
    }
  }

  // ── runs ─────────────────────────────────────────────────────────────────────────────

  /**
   * Runs newest first, a page at a time. A status filter is checked run by run (statuses are
   * derived, not stored), so a page reads on until it is full or the runs run out.
   */
  async listRuns(flow: string, opts: RunListOptions = {}): Promise<Page<Run>> {
    await this.getFlow(flow);
    const limit = Math.max(1, Math.min(opts.limit ?? 20, 500));
    const query: RunListQuery = { user: opts.user, tags: opts.tags, status: opts.status };
    let position = decodeCursor<{ s: string | null; o: number }>(opts.cursor, { s: null, o: 0 });
    const items: Run[] = [];
    let total: number | null = null;
    for (;;) {
      const key = `runs:${flow}:${JSON.stringify(query)}:${limit}:${position.s ?? ''}`;
      const page = await this.cache.get(key, () => this.metadata.listRuns(flow, query, { limit, cursor: position.s }), () => this.short());
      total = opts.status?.length ? null : page.total;
      const records = page.runs.slice(position.o);
      const runs = await mapLimit(records, STATUS_CONCURRENCY, (r) => this.runFromRecord(r));
      for (let i = 0; i < runs.length; i++) {
        if (opts.status?.length && !opts.status.includes(runs[i].status)) continue;
        items.push(runs[i]);
        if (items.length === limit) {
          const consumed = position.o + i + 1;
          const next = consumed < page.runs.length ? { s: position.s, o: consumed } : page.next ? { s: page.next, o: 0 } : null;
          return { items, next: next ? encodeCursor(next) : null, total };
        }
      }
      if (!page.next) return { items, next: null, total };
      position = { s: page.next, o: 0 };
    }
  }

  async getRun(flow: string, id: string): Promise<Run> {
    await this.getFlow(flow);
    const record = await this.cache.get(`runrec:${flow}/${id}`, () => this.metadata.getRun(flow, id), () => this.short());
    return this.runFromRecord(record);
  }

  /** The newest run that matches, or NotFoundError naming what was asked. */
  async latestRun(flow: string, filter: { user?: string; tags?: string[] } = {}, what?: string): Promise<Run> {
    const page = await this.listRuns(flow, { ...filter, limit: 1 });
    if (page.items.length === 0) throw new NotFoundError(what ?? `A run of ${flow}`);
    return page.items[0];
  }

  private async runFromRecord(record: RunRecord): Promise<Run> {
    const key = `run:${record.flow}/${record.id}`;
    const state = await this.cache.get<RunState>(key, () => this.computeRun(record), (s) => (s.settled ? 'forever' : this.short()));
    return state.run;
  }

  private async computeRun(record: RunRecord): Promise<RunState> {
    const { flow, id } = record;
    const clock = this.clock();
    const endStep = await this.endStepName(flow, id);
    const endAttempts = await this.metadata.stepAttempts(flow, id, endStep);
    const endTasks = [...endAttempts.values()];
    let allTasks: AttemptRecord[][] = endTasks;
    const quick = runStatus({ endTasks, allTasks: [], lastSeen: Number.MAX_SAFE_INTEGER }, clock);
    if (quick.status !== 'successful') {
      const steps = await this.metadata.listSteps(flow, id);
      const perStep = await mapLimit(steps, STATUS_CONCURRENCY, (s) => this.metadata.stepAttempts(flow, id, s.name));
      allTasks = perStep.flatMap((m) => [...m.values()]);
    }
    const lastSeen = lastSignOfLife(allTasks.flat(), record.createdAt, record.heartbeatAt);
    const derived = runStatus({ endTasks, allTasks, lastSeen }, clock);
    const { status } = derived;
    const finishedAt = status === 'successful' ? ((await this.endTaskFinishedAt(flow, id, endStep, endAttempts)) ?? derived.finishedAt) : derived.finishedAt;
    const end = finishedAt ?? (status === 'running' ? clock.now : lastSeen);
    const run: Run = {
      pathspec: runPathspec(flow, id),
      flow,
      id,
      user: record.user,
      tags: record.tags,
      systemTags: record.systemTags,
      createdAt: record.createdAt,
      finishedAt,
      durationMs: Math.max(0, end - record.createdAt),
      status,
      lastSeenAt: lastSeen,
    };
    return { run, settled: isSettled(status, lastSeen, clock) };
  }

  /**
   * Metaflow's `Run.finished_at` is when the end task's `_task_ok` artifact was recorded, a
   * millisecond or so after the attempt's `attempt-done` entry.
   */
  private async endTaskFinishedAt(flow: string, run: string, endStep: string, tasks: Map<string, AttemptRecord[]>): Promise<number | null> {
    for (const [task, attempts] of tasks) {
      const newest = newestAttempt(attempts);
      if (!newest || newest.ok === false) continue;
      const records = await this.metadata.listArtifacts(flow, run, endStep, task, newest.attempt);
      const taskOk = records.find((r) => r.name === '_task_ok');
      if (taskOk && taskOk.createdAt > 0) return taskOk.createdAt;
    }
    return null;
  }

  /** The terminal step need not be called `end` (§8.2): `_parameters` metadata names it. */
  private async endStepName(flow: string, run: string): Promise<string> {
    return this.cache.get(
      `endstep:${flow}/${run}`,
      async () => (await this.metadata.endStep(flow, run)) ?? (await this.getGraph(flow, run))?.endStep ?? null,
      (name) => (name === null ? 'none' : 'forever'),
    ).then((name) => name ?? 'end');
  }

  async getRunDetail(flow: string, id: string): Promise<RunDetail> {
    const run = await this.getRun(flow, id);
    const [steps, parameters, graph] = await Promise.all([this.listSteps(flow, id), this.getParameters(flow, id), this.getGraph(flow, id)]);
    return { ...run, steps, parameters, graph };
  }

  /** The DAG from `_graph_info` (the same in every task; the `_parameters` task has it first). */
  async getGraph(flow: string, run: string): Promise<FlowGraph | null> {
    return this.cache.get(
      `graph:${flow}/${run}`,
      async () => {
        const task = await this.parametersTask(flow, run);
        if (!task) return null;
        const { records } = await this.artifactRecords({ flow, run, step: PARAMETERS_STEP, task }, 0);
        const info = records.find((r) => r.name === '_graph_info');
        if (!info) return null;
        return parseGraphInfo(pyToJs(decodePickle(await this.readBlob(flow, info))));
      },
      (g) => (g ? 'forever' : this.short()),
    );
  }

  /** The `_parameters` task is made with the run and never changes. */
  private async parametersTask(flow: string, run: string): Promise<string | null> {
    return this.cache.get(
      `paramtask:${flow}/${run}`,
      async () => {
        const tasks = await this.metadata.listTasks(flow, run, PARAMETERS_STEP);
        return tasks.length > 0 ? tasks[0].id : null;
      },
      (task) => (task === null ? 'none' : 'forever'),
    );
  }

  /** Parameter values of the run, in the order the flow declares them. */
  async getParameters(flow: string, run: string): Promise<Parameter[]> {
    const graph = await this.getGraph(flow, run);
    const task = await this.parametersTask(flow, run);
    if (!graph || !task) return [];
    const artifacts = await this.listArtifacts({ flow, run, step: PARAMETERS_STEP, task }, { attempt: 0 });
    return graph.parameters.flatMap((name) => {
      const a = artifacts.find((x) => x.name === name);
      return a ? [{ name, type: a.type, preview: a.preview }] : [];
    });
  }

  // ── steps and tasks ──────────────────────────────────────────────────────────────────

  /** The run's steps that have started, in DAG order, with status, task count and runtime. */
  async listSteps(flow: string, run: string): Promise<Step[]> {
    const runObj = await this.getRun(flow, run);
    const [all, graph] = await Promise.all([
      this.cache.get(`steps:${runObj.pathspec}`, () => this.metadata.listSteps(flow, run), () => (this.settled(runObj) ? 'forever' : this.short())),
      this.getGraph(flow, run),
    ]);
    // `_parameters` holds the run's parameters; it is no step of the flow (the service lists it, a local folder hides it).
    const records = all.filter((r) => !r.name.startsWith('_'));
    const states = await mapLimit(records, STATUS_CONCURRENCY, (r) => this.stepState(runObj, r.name));
    const order = graph?.order ?? [];
    const rank = (name: string): number => {
      const i = order.indexOf(name);
      return i === -1 ? order.length : i;
    };
    const created = new Map(records.map((r) => [r.name, r.createdAt]));
    return states
      .map((s) => ({ ...s.step, type: graph?.nodes[s.step.name]?.type ?? null }))
      .sort((a, b) => rank(a.name) - rank(b.name) || (created.get(a.name) ?? 0) - (created.get(b.name) ?? 0));
  }

  async getStep(flow: string, run: string, step: string): Promise<Step> {
    const steps = await this.listSteps(flow, run);
    const found = steps.find((s) => s.name === step);
    if (!found) throw new NotFoundError(`${flow}/${run}/${step}`, suggestName(step, steps.map((s) => s.name)));
    return found;
  }

  private async stepState(run: Run, name: string): Promise<StepState> {
    return this.cache.get<StepState & { settled: boolean }>(
      `step:${run.pathspec}/${name}`,
      async () => {
        const tasks = await this.metadata.stepAttempts(run.flow, run.id, name);
        const clock = this.clock();
        const statuses = [...tasks.values()].map((attempts) => this.taskStatusOf(attempts, run, null, clock));
        const all = [...tasks.values()].flat();
        const starts = all.map((a) => a.startedAt).filter((t): t is number => t !== null);
        const status = tasks.size === 0 ? 'running' : stepStatus(statuses);
        const ends = [...tasks.values()].map((attempts) => newestAttempt(attempts)?.doneAt ?? null);
        const startedAt = starts.length > 0 ? Math.min(...starts) : null;
        const finishedAt = status !== 'running' && ends.every((t) => t !== null) && ends.length > 0 ? Math.max(...(ends as number[])) : null;
        const step: Step = {
          name,
          type: null,
          status,
          taskCount: tasks.size,
          startedAt,
          finishedAt,
          durationMs: startedAt !== null && finishedAt !== null ? Math.max(0, finishedAt - startedAt) : null,
        };
        // A step of an unsettled run can gain tasks even when those it has succeeded (a foreach
        // launches its tasks as workers free up), so only a settled run's steps are kept.
        return { step, tasks, settled: this.settled(run) };
      },
      (s) => (s.settled ? 'forever' : this.short()),
    );
  }

  private taskStatusOf(attempts: AttemptRecord[], run: Run, heartbeatAt: number | null, clock: StatusClock): RunStatus {
    const newest = newestAttempt(attempts);
    const lastSeen = lastSignOfLife(attempts, heartbeatAt, run.status === 'running' ? run.lastSeenAt : null);
    if (!newest) return clock.now - lastSeen > clock.lostAfterMs ? 'lost' : 'running';
    return attemptStatus(newest, true, lastSeen, clock);
  }

  /** A step's tasks, a page at a time (a foreach can have thousands), in scheduling order. */
  async listTasks(flow: string, run: string, step: string, opts: TaskListOptions = {}): Promise<Page<Task>> {
    const runObj = await this.getRun(flow, run);
    const state = await this.stepState(runObj, step);
    if (state.tasks.size === 0) {
      await this.getStep(flow, run, step);
    }
    const clock = this.clock();
    let ids = [...state.tasks.keys()].sort(numericOrder);
    if (opts.problemsFirst) {
      const rank = new Map(ids.map((id) => [id, PROBLEM_RANK[this.taskStatusOf(state.tasks.get(id) ?? [], runObj, null, clock)]]));
      ids = ids.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0) || numericOrder(a, b));
    }
    const limit = Math.max(1, Math.min(opts.limit ?? 50, 1000));
    const offset = decodeCursor<{ o: number }>(opts.cursor, { o: 0 }).o;
    const pageIds = ids.slice(offset, offset + limit);
    const items = await mapLimit(pageIds, STATUS_CONCURRENCY, (id) => this.buildTask(runObj, step, id, state.tasks.get(id) ?? []));
    const next = offset + limit < ids.length ? encodeCursor({ o: offset + limit }) : null;
    return { items, next, total: ids.length };
  }

  async getTask(flow: string, run: string, step: string, task: string): Promise<Task> {
    const runObj = await this.getRun(flow, run);
    const attempts = await this.cache.get(
      `task:${runObj.pathspec}/${step}/${task}`,
      async () => {
        const found = await this.metadata.taskAttempts(flow, run, step, task);
        if (found.length === 0) await this.metadata.getTask(flow, run, step, task);
        return found;
      },
      (found) => {
        const newest = newestAttempt(found);
        return newest && newest.ok !== null && this.settled(runObj) ? 'forever' : this.short();
      },
    );
    return this.buildTask(runObj, step, task, attempts);
  }

  private async buildTask(run: Run, step: string, id: string, attempts: AttemptRecord[]): Promise<Task> {
    const clock = this.clock();
    const newest = newestAttempt(attempts);
    const foreach = await this.foreachOf(run, step, id, newest ? newest.doneAt !== null || newest.ok !== null : false);
    const lastSeen = lastSignOfLife(attempts, run.status === 'running' ? run.lastSeenAt : null);
    const shown: Attempt[] = attempts.map((a) => ({
      attempt: a.attempt,
      status: attemptStatus(a, a === newest, lastSeen, clock),
      startedAt: a.startedAt,
      finishedAt: a.doneAt,
    }));
    const status = newest ? attemptStatus(newest, true, lastSeen, clock) : clock.now - lastSeen > clock.lostAfterMs ? 'lost' : 'running';
    return {
      pathspec: taskPathspec(run.flow, run.id, step, id),
      flow: run.flow,
      runId: run.id,
      step,
      id,
      status,
      attempt: newest?.attempt ?? 0,
      attempts: shown,
      startedAt: attempts.length > 0 ? attempts[0].startedAt : null,
      finishedAt: newest?.doneAt ?? null,
      foreachIndex: foreach.index,
      foreachStack: foreach.stack,
    };
  }

  /** `foreach-execution-path` (`step:index,…`) gives the index; `foreach-stack` the items. */
  private async foreachOf(run: Run, step: string, id: string, done: boolean): Promise<{ index: number | null; stack: string[] }> {
    return this.cache.get(
      `foreach:${run.pathspec}/${step}/${id}`,
      async () => {
        const meta = await this.metadata.taskMetadata(run.flow, run.id, step, id);
        const path = meta.filter((e) => e.field === 'foreach-execution-path').pop();
        const stackEntry = meta.filter((e) => e.field === 'foreach-stack').pop();
        let index: number | null = null;
        if (typeof path?.value === 'string' && path.value) {
          const last = path.value.split(',').pop() ?? '';
          const n = Number(last.slice(last.lastIndexOf(':') + 1));
          index = Number.isInteger(n) ? n : null;
        }
        let stack: string[] = [];
        if (Array.isArray(stackEntry?.value)) stack = stackEntry.value.map(String);
        else if (typeof stackEntry?.value === 'string') stack = parseStackText(stackEntry.value);
        return { index, stack };
      },
      () => (done ? 'forever' : this.short()),
    );
  }

  // ── artifacts ────────────────────────────────────────────────────────────────────────

  /** The attempt whose artifacts Metaflow shows: the one asked for, else the newest finished one. */
  private async artifactAttempt(ref: TaskRef, attempt: number | undefined): Promise<number | null> {
    if (attempt !== undefined) return attempt;
    const task = await this.getTask(ref.flow, ref.run, ref.step, ref.task);
    const done = task.attempts.filter((a) => a.finishedAt !== null || a.status === 'successful' || a.status === 'failed');
    if (ref.step === PARAMETERS_STEP) return 0;
    return done.length > 0 ? done[done.length - 1].attempt : null;
  }

  private async artifactRecords(
    ref: TaskRef,
    attempt: number,
  ): Promise<{ records: ArtifactRecord[]; info: Record<string, { size?: number; type?: string }>; tableSize: number }> {
    return this.cache.get(
      `artifacts:${taskPathspec(ref.flow, ref.run, ref.step, ref.task)}:${attempt}`,
      async () => {
        const [records, table] = await Promise.all([
          this.metadata.listArtifacts(ref.flow, ref.run, ref.step, ref.task, attempt),
          this.datastore.artifactTable(ref.flow, ref.run, ref.step, ref.task, attempt),
        ]);
        const info = table?.info ?? {};
        const tableSize = table ? Object.keys(table.objects).length : 0;
        if (records.length > 0 || !table) return { records, info, tableSize };
        // Some metadata providers record no artifact index; the datastore's table is the same list.
        const fromTable = Object.entries(table.objects).map(([name, sha]) => ({
          name,
          sha,
          attempt,
          encoding: table.info[name]?.encoding ?? 'gzip+pickle-v2',
          createdAt: 0,
        }));
        return { records: fromTable.sort((a, b) => a.name.localeCompare(b.name)), info, tableSize };
      },
      // Metaflow writes the index one file per artifact after the attempt is done: a read in
      // between sees some of them, which must not be kept.
      (r) => (r.records.length > 0 && r.records.length >= r.tableSize ? 'forever' : this.short()),
    );
  }

  async listArtifacts(ref: TaskRef, opts: ArtifactOptions = {}): Promise<Artifact[]> {
    const attempt = await this.artifactAttempt(ref, opts.attempt);
    if (attempt === null) return [];
    const { records, info } = await this.artifactRecords(ref, attempt);
    const shown = records.filter((r) => opts.includeInternal || !r.name.startsWith('_'));
    return mapLimit(shown, STATUS_CONCURRENCY, (r) => this.artifactOf(ref.flow, r, info[r.name], opts.previewLength ?? DEFAULT_PREVIEW_LENGTH));
  }

  async getArtifact(ref: TaskRef, name: string, opts: ArtifactOptions = {}): Promise<Artifact> {
    const attempt = await this.artifactAttempt(ref, opts.attempt);
    const what = `${taskPathspec(ref.flow, ref.run, ref.step, ref.task)} artifact ${name}`;
    if (attempt === null) throw new NotFoundError(what);
    const { records, info } = await this.artifactRecords(ref, attempt);
    const record = records.find((r) => r.name === name);
    if (!record) throw new NotFoundError(what, suggestName(name, records.map((r) => r.name)));
    return this.artifactOf(ref.flow, record, info[name], opts.previewLength ?? DEFAULT_PREVIEW_LENGTH);
  }

  private async artifactOf(flow: string, record: ArtifactRecord, info: { size?: number; type?: string } | undefined, previewLength: number): Promise<Artifact> {
    const preview = await this.preview(flow, record, previewLength);
    return {
      name: record.name,
      type: pythonTypeName(info?.type) ?? preview.typeName,
      size: info?.size ?? null,
      sha: record.sha,
      preview: preview.text,
      previewLength: preview.length,
      previewTruncated: preview.truncated,
    };
  }

  private readBlob(flow: string, { sha, location }: Pick<ArtifactRecord, 'sha' | 'location'>): Promise<Buffer> {
    return this.datastore.readBlob(flow, sha, { root: location, maxBytes: this.maxPreviewBytes });
  }

  /** Previews are keyed by content (sha), so they never go stale. */
  private async preview(flow: string, { sha, location }: ArtifactRecord, maxLength: number): Promise<{ text: string; length: number; truncated: boolean; typeName: string }> {
    return this.cache.get(
      `preview:${flow}:${sha}:${maxLength}`,
      async () => {
        try {
          return previewPickle(await this.readBlob(flow, { sha, location }), maxLength);
        } catch (err) {
          if (!(err instanceof TooLargeError)) throw err;
          const text = `<too large to preview (${formatMegabytes(err.bytes)})>`;
          return { text, length: text.length, truncated: false, typeName: 'unknown' };
        }
      },
      () => 'forever',
    );
  }

  /** The exception that failed the attempt (`_exception`), or null when it did not fail. */
  async taskException(ref: TaskRef, attempt?: number): Promise<TaskException | null> {
    const chosen = await this.artifactAttempt(ref, attempt);
    if (chosen === null) return null;
    const { records } = await this.artifactRecords(ref, chosen);
    const record = records.find((r) => r.name === '_exception');
    if (!record) return null;
    return this.cache.get(`exception:${ref.flow}:${record.sha}`, async () => exceptionFromPickle(await this.readBlob(ref.flow, record)), () => 'forever');
  }

  // ── logs ─────────────────────────────────────────────────────────────────────────────

  /** The newest lines of a task attempt's log (the newest attempt started, as Metaflow shows). */
  async readLog(ref: TaskRef, opts: { stream: LogStream; attempt?: number; limit?: number; before?: string | null }): Promise<LogPage & { attempt: number }> {
    const task = await this.getTask(ref.flow, ref.run, ref.step, ref.task);
    const attempt = opts.attempt ?? task.attempt;
    // A lost attempt may yet go on writing; a finished one's log files appear only once its
    // process has exited (the local runtime writes them after the attempt is marked done).
    const finished = task.attempts.some((a) => a.attempt === attempt && (a.status === 'successful' || a.status === 'failed'));
    const limit = Math.max(1, Math.min(opts.limit ?? 50, 5000));
    const read = await this.cache.get(
      `log:${task.pathspec}:${attempt}:${opts.stream}:${limit}:${opts.before ?? ''}`,
      async () => {
        const sources = await this.datastore.logSources(ref.flow, ref.run, ref.step, ref.task, attempt, opts.stream);
        return { page: await readLogTail(sources, { limit, before: opts.before ?? null }), written: sources.length > 0 };
      },
      (r) => (finished && r.written ? 'forever' : this.short()),
    );
    return { ...read.page, attempt };
  }

  /** The whole log as Metaflow's client returns it (`message\n` per line), up to `maxBytes` read. */
  async readFullLog(ref: TaskRef, opts: { stream: LogStream; attempt?: number; maxBytes?: number }): Promise<{ text: string; truncated: boolean; attempt: number }> {
    const task = await this.getTask(ref.flow, ref.run, ref.step, ref.task);
    const attempt = opts.attempt ?? task.attempt;
    const sources = await this.datastore.logSources(ref.flow, ref.run, ref.step, ref.task, attempt, opts.stream);
    const { lines, truncated } = await readWholeLog(sources, { maxBytes: opts.maxBytes });
    return { text: logText(lines), truncated, attempt };
  }

  // ── queries ──────────────────────────────────────────────────────────────────────────

  /** What a run query (`runspec.ts`) names: a list of runs, one run, a step or a task. */
  async resolve(query: RunQuery, opts: { limit?: number; cursor?: string | null } = {}): Promise<Resolution> {
    const flow = query.flow;
    if (query.run) {
      const run = await this.getRun(flow, query.run).catch((err: unknown) => {
        if (err instanceof NotFoundError && err.what === `${flow}/${query.run}`) throw new NotFoundError(`Run ${flow}/${query.run}`);
        throw err;
      });
      if (!query.step) return { kind: 'run', run };
      if (!query.task) return { kind: 'step', run, step: await this.getStep(flow, query.run, query.step) };
      const task = await this.getTask(flow, query.run, query.step, query.task).catch((err: unknown) => {
        if (err instanceof NotFoundError) throw new NotFoundError(`Task ${flow}/${query.run}/${query.step}/${query.task}`);
        throw err;
      });
      return { kind: 'task', run, task };
    }
    const filter = { user: query.user, tags: query.tags.length > 0 ? query.tags : undefined };
    if (query.latest) return { kind: 'run', run: await this.latestRun(flow, filter, `A run matching "${formatRunQuery(query)}"`) };
    return { kind: 'runs', flow, query, page: await this.listRuns(flow, { ...filter, limit: opts.limit, cursor: opts.cursor }) };
  }
}

/** Service versions write the stack as text such as `{items=a}` or `["items=a"]`. */
function parseStackText(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // not JSON: the brace form below
  }
  return text
    .replace(/^\{|\}$/g, '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
