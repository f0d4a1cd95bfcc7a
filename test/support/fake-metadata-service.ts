/**
 * A fake Metaflow metadata service over real HTTP on 127.0.0.1 (random port), for tests and
 * benchmarks of the service backend.
 *
 *   const fake = await startFakeMetadataService();          // replays test/fixtures/metaflow-service
 *   const source = createServiceMetadataSource({ url: fake.url, retryBaseDelayMs: 5 });
 *   fake.inject({ kind: 'status', status: 503, times: 2 }); // the next two requests get 503
 *   fake.requests                                           // every request URL, in order
 *   await fake.close();
 *
 * What it serves, first match wins:
 * 1. Synthetic flows (`addFlow`, `addSyntheticFlow`): an in-memory model with runs, and for
 *    each run the steps `_parameters`, `start` (and `end` once completed), one task each, and
 *    the attempt metadata its status implies. Artifacts lists are empty.
 * 2. Run lists with a query string (`/flows/{f}/runs?...`) that were not recorded: computed
 *    from the flow's recorded run list like service 2.5.1 does — `_limit` (default 50, cap
 *    500), `_cursor` (base64 of `{"ts_epoch": …, "run_number": …}`), `X-Next-Cursor`,
 *    `X-Limit`, `user:eq`, `user_name:eq`, `_tags`/`_tags:all`, `_tags:any`, `status:eq` (the
 *    service's 6-minute heartbeat rule on step `end`, at the recordings' clock by default).
 * 3. Recorded calls (`index.json`: path+query → file): status, headers and body as recorded;
 *    JSON bodies re-serialised, text bodies (`/ping`) as they were.
 * 4. Anything else like the real service: 404 `{}` for an object, 200 `[]` for a list.
 *
 * `pathPrefix` serves it all below a prefix (`url` includes it), as behind a gateway.
 * `legacy: true` plays a service older than 2.5.1: no `METADATA_SERVICE_VERSION` header and
 * every query string ignored (so run lists come whole and unordered).
 *
 * Faults (`inject`) apply to the next `times` requests whose URL matches `path` (default all):
 * an HTTP status, a delay before the normal answer, a dropped connection, a garbage body.
 * `latencyMs` delays every answer (a benchmark's network). The fake records every request
 * (`requests`, `log` with headers) and the most requests it had in flight (`maxInFlight`).
 * `legacy` and `latencyMs` may be changed between calls; `clearFaults()` and `resetLog()`
 * start a test afresh.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { FIXTURES } from './fixtures';

export const RECORDINGS = join(FIXTURES, 'metaflow-service');
const VERSION = '2.5.1';
const TEXT = 'text/plain; charset=utf-8';
/** The service's RUN_INACTIVE_CUTOFF_TIME. */
const RUN_INACTIVE_CUTOFF_S = 360;

export type Fault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'garbage'; body?: string };

export type FaultPlan = Fault & {
  /** How many matching requests get it; default 1, Infinity for all. */
  times?: number;
  /** Only requests whose URL (path and query) contains this string or matches this pattern. */
  path?: string | RegExp;
};

export type ServiceStatus = 'running' | 'completed' | 'failed';

/** A run of the synthetic model; every field but `status` is served as the service would. */
export interface FakeRun {
  /** The integer run_number column: order and cursors. */
  seq: number;
  /** What `run_number` shows: `seq`, or the string id of a scheduler-made run. */
  id: number | string;
  ts_epoch: number;
  user_name: string | null;
  /** Verified owner: `user_name` when a `user:<user_name>` system tag exists, else null. */
  user: string | null;
  tags: string[];
  system_tags: string[];
  last_heartbeat_ts: number | null;
  status: ServiceStatus;
}

export type FakeRunInput = Partial<FakeRun> & { ts_epoch: number };

export interface SyntheticFlowOptions {
  runs: number;
  /** Users in turn, run by run; default alice, bob, carol. */
  users?: string[];
  /** Time between runs; default one minute, the newest run started one interval ago. */
  intervalMs?: number;
}

export interface FakeOptions {
  /** A folder of recordings (index.json and one file a call), or false to serve only synthetic flows. */
  recordings?: string | false;
  legacy?: boolean;
  latencyMs?: number;
  /** The clock of `status:eq` and of synthetic heartbeats; default the recordings' time. */
  now?: () => number;
  /** Serve under this path prefix (`/api/metadata`), as a deployment behind a gateway does. */
  pathPrefix?: string;
}

export interface LoggedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

interface Recorded {
  status: number;
  headers: Record<string, string>;
  body_is_json: boolean;
  body: unknown;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface FakeFlow {
  name: string;
  ts_epoch: number;
  runs: FakeRun[];
}

interface Index {
  recorded_at_epoch_ms: number;
  requests: Record<string, { file: string }>;
}

const LIST_ENDPOINTS = new Set(['flows', 'runs', 'steps', 'tasks', 'metadata', 'artifacts', 'filtered_tasks']);

export class FakeMetadataService {
  readonly requests: string[] = [];
  readonly log: LoggedRequest[] = [];
  maxInFlight = 0;
  legacy: boolean;
  latencyMs: number;
  private readonly pathPrefix: string;

  private inFlight = 0;
  private faults: Array<FaultPlan & { left: number }> = [];
  private readonly synthetic = new Map<string, FakeFlow>();
  private readonly recordedRuns = new Map<string, FakeRun[]>();
  private readonly recorded = new Map<string, string>();
  private nextSeq = 100_000;

  constructor(
    readonly url: string,
    private readonly app: ReturnType<typeof Fastify>,
    private readonly recordings: string | false,
    readonly now: () => number,
    opts: FakeOptions,
  ) {
    this.legacy = opts.legacy ?? false;
    this.latencyMs = opts.latencyMs ?? 0;
    this.pathPrefix = opts.pathPrefix ?? '';
    if (recordings) {
      for (const [key, entry] of Object.entries(readIndex(recordings).requests)) this.recorded.set(canonical(key), entry.file);
    }
  }

  inject(plan: FaultPlan): void {
    this.faults.push({ ...plan, left: plan.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  resetLog(): void {
    this.requests.length = 0;
    this.log.length = 0;
    this.maxInFlight = this.inFlight;
  }

  /** Adds a flow of the given runs (oldest first is customary; the service keeps no order). */
  addFlow(name: string, runs: FakeRunInput[]): FakeRun[] {
    const flow: FakeFlow = { name, ts_epoch: Math.min(...runs.map((r) => r.ts_epoch), this.now()), runs: [] };
    for (const input of runs) {
      const seq = input.seq ?? this.nextSeq++;
      const userName = input.user_name === undefined ? 'alice' : input.user_name;
      const systemTags = input.system_tags ?? (userName ? [`user:${userName}`, 'runtime:dev'] : ['runtime:dev']);
      flow.runs.push({
        seq,
        id: input.id ?? seq,
        ts_epoch: input.ts_epoch,
        user_name: userName,
        user: input.user !== undefined ? input.user : userName && systemTags.includes(`user:${userName}`) ? userName : null,
        tags: input.tags ?? [],
        system_tags: systemTags,
        last_heartbeat_ts: input.last_heartbeat_ts !== undefined ? input.last_heartbeat_ts : Math.floor(input.ts_epoch / 1000) + 60,
        status: input.status ?? 'completed',
      });
    }
    this.synthetic.set(name, flow);
    return flow.runs;
  }

  /**
   * `runs` runs a minute apart, users in turn; every 10th tagged `nightly`, every 3rd
   * `team:ml`; every 7th failed, the newest running, the rest completed.
   */
  addSyntheticFlow(name: string, opts: SyntheticFlowOptions): FakeRun[] {
    const users = opts.users ?? ['alice', 'bob', 'carol'];
    const interval = opts.intervalMs ?? 60_000;
    const first = this.now() - opts.runs * interval;
    const runs: FakeRunInput[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const ts = first + i * interval;
      const running = i === opts.runs - 1;
      runs.push({
        ts_epoch: ts,
        user_name: users[i % users.length],
        tags: [...(i % 10 === 0 ? ['nightly'] : []), ...(i % 3 === 0 ? ['team:ml'] : [])],
        status: running ? 'running' : i % 7 === 3 ? 'failed' : 'completed',
        last_heartbeat_ts: Math.floor((running ? this.now() : ts + 30_000) / 1000),
      });
    }
    return this.addFlow(name, runs);
  }

  close(): Promise<void> {
    return this.app.close();
  }

  /** The fastify handler: log, faults, latency, then the answer. */
  async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = request.url;
    this.requests.push(url);
    this.log.push({ method: request.method, url, headers: { ...request.headers } });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    reply.raw.once('close', () => {
      this.inFlight -= 1;
    });

    const fault = this.takeFault(url);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (fault?.kind === 'drop') {
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    const answer =
      fault?.kind === 'status'
        ? faultAnswer(fault.status, fault.body)
        : fault?.kind === 'garbage'
          ? { status: 200, headers: this.baseHeaders(), body: fault.body ?? '<html><body>502 Bad Gateway</body></html>' }
          : this.answer(url);
    if (reply.raw.destroyed) {
      // The client gave up (a timeout test): nothing left to answer.
      reply.hijack();
      return;
    }
    await reply.code(answer.status).headers(answer.headers).send(answer.body);
  }

  private takeFault(url: string): Fault | null {
    const plan = this.faults.find((f) => f.left > 0 && matches(url, f.path));
    if (!plan) return null;
    plan.left -= 1;
    return plan;
  }

  private answer(fullUrl: string): Answer {
    if (!fullUrl.startsWith(this.pathPrefix + '/')) return this.json(404, {});
    const url = fullUrl.slice(this.pathPrefix.length);
    const [rawPath, rawQuery = ''] = url.split('?', 2);
    const path = decodeURIComponent(rawPath).replace(/\/+$/, '') || '/';
    const query = this.legacy ? new URLSearchParams() : new URLSearchParams(rawQuery);
    const segments = path.split('/').filter(Boolean);

    if (path === '/flows' && [...query].length === 0) return this.flows();
    const flow = segments[0] === 'flows' ? this.synthetic.get(segments[1] ?? '') : undefined;
    if (flow) return this.syntheticAnswer(flow, segments.slice(2), query);
    if (segments.length === 3 && segments[0] === 'flows' && segments[2] === 'runs' && [...query].length > 0) {
      const file = this.recorded.get(canonical(`${path}?${query}`));
      if (file) return this.replay(file);
      return this.runList(segments[1], this.recordedRunsOf(segments[1]), query);
    }
    const file = this.recorded.get(canonical(this.legacy ? path : url));
    if (file) return this.replay(file);
    const attemptList = this.attemptArtifacts(path);
    if (attemptList) return attemptList;
    if (path === '/ping') return { status: 200, headers: this.baseHeaders(), body: 'pong' };
    return this.unknown(segments);
  }

  /**
   * `…/tasks/{t}/attempt/{n}/artifacts` was not recorded for every task (the `_parameters`
   * ones); the real service answers it with the task's artifact rows of attempt n.
   */
  private attemptArtifacts(path: string): Answer | null {
    const m = /^(.*\/tasks\/[^/]+)\/attempt\/(\d+)\/artifacts$/.exec(path);
    const file = m ? this.recorded.get(`${m[1]}/artifacts`) : undefined;
    if (!m || !file) return null;
    const rows = this.load(file).body as { attempt_id?: number }[];
    return this.json(200, rows.filter((r) => r.attempt_id === Number(m[2])));
  }

  private flows(): Answer {
    const file = this.recorded.get('/flows');
    const recorded = file ? (this.load(file).body as unknown[]) : [];
    const synthetic = [...this.synthetic.values()].map((f) => ({
      flow_id: f.name,
      user_name: null,
      ts_epoch: f.ts_epoch,
      tags: null,
      system_tags: null,
    }));
    return this.json(200, [...recorded, ...synthetic]);
  }

  private syntheticAnswer(flow: FakeFlow, rest: string[], query: URLSearchParams): Answer {
    if (rest.length === 0) return this.json(200, { flow_id: flow.name, user_name: null, ts_epoch: flow.ts_epoch, tags: null, system_tags: null });
    if (rest.length === 1 && rest[0] === 'runs') return this.runList(flow.name, flow.runs, query);
    const run = rest[0] === 'runs' ? flow.runs.find((r) => String(r.id) === rest[1]) : undefined;
    if (!run) return this.unknown(rest);
    const detail = runDetail(flow.name, run);
    const tail = rest.slice(2);
    const key = tail.join('/');
    if (key === '') return this.json(200, runJson(flow.name, run));
    if (key === 'steps') return this.json(200, detail.steps);
    if (key === 'metadata') return this.json(200, detail.metadata);
    const step = detail.steps.find((s) => s.step_name === tail[1]);
    if (tail[0] === 'steps' && step) {
      const tasks = detail.tasks.filter((t) => t.step_name === step.step_name);
      if (tail.length === 2) return this.json(200, step);
      if (tail.length === 3 && tail[2] === 'tasks') return this.json(200, tasks);
      const task = tasks.find((t) => String(t.task_id) === tail[3]);
      if (tail[2] === 'tasks' && task) {
        if (tail.length === 4) return this.json(200, task);
        if (tail.length === 5 && tail[4] === 'metadata') return this.json(200, detail.metadata.filter((m) => m.task_id === task.task_id));
      }
    }
    return this.unknown(tail);
  }

  /** `/flows/{f}/runs` as service 2.5.1 answers it: whole and unordered without a query, else paged. */
  private runList(flow: string, runs: FakeRun[], query: URLSearchParams): Answer {
    const filtered = [...query].length > 0;
    if (!filtered) return this.json(200, runs.map((r) => runJson(flow, r)));
    const statusFilter = query.get('status:eq');
    const statuses = statusFilter?.split(',') ?? null;
    const bad = statuses?.find((s) => !['running', 'completed', 'failed'].includes(s));
    if (bad) return this.json(400, `unsupported status filter: ${bad}`);
    let after: { ts: number; seq: number } | null = null;
    const cursor = query.get('_cursor');
    if (cursor !== null) {
      after = decodeServiceCursor(cursor);
      if (!after) return this.json(400, 'Invalid cursor');
    }
    const limit = Math.min(Number.parseInt(query.get('_limit') ?? '50', 10) || 50, 500);
    const users = query.get('user:eq')?.split(',');
    const userNames = query.get('user_name:eq')?.split(',');
    const allTags = (query.get('_tags:all') ?? query.get('_tags'))?.split(',');
    const anyTags = query.get('_tags:any')?.split(',');
    const rows = runs
      .filter((r) => !users || (r.user !== null && users.includes(r.user)))
      .filter((r) => !userNames || (r.user_name !== null && userNames.includes(r.user_name)))
      .filter((r) => !allTags || allTags.every((t) => r.tags.includes(t) || r.system_tags.includes(t)))
      .filter((r) => !anyTags || anyTags.some((t) => r.tags.includes(t) || r.system_tags.includes(t)))
      .filter((r) => !statuses || statuses.includes(r.status))
      .sort((a, b) => b.ts_epoch - a.ts_epoch || b.seq - a.seq)
      .filter((r) => !after || r.ts_epoch < after.ts || (r.ts_epoch === after.ts && r.seq < after.seq));
    const page = rows.slice(0, limit);
    const headers: Record<string, string> = { ...this.baseHeaders(), 'X-Limit': String(limit) };
    const last = page[page.length - 1];
    if (rows.length > limit && last) headers['X-Next-Cursor'] = encodeServiceCursor(last);
    const body = page.map((r) => ({ ...runJson(flow, r), ...(statuses ? { status: r.status } : {}) }));
    return { status: 200, headers, body: JSON.stringify(body) };
  }

  private recordedRunsOf(flow: string): FakeRun[] {
    let runs = this.recordedRuns.get(flow);
    if (!runs) {
      const file = this.recorded.get(`/flows/${flow}/runs`);
      const rows = file ? (this.load(file).body as Array<Record<string, unknown>>) : [];
      runs = rows.map(
        (row): FakeRun => ({
          seq: Number(row.run_number),
          id: row.run_number as number | string,
          ts_epoch: row.ts_epoch as number,
          user_name: row.user_name as string | null,
          user: (row.user as string | null) ?? null,
          tags: (row.tags as string[] | null) ?? [],
          system_tags: (row.system_tags as string[] | null) ?? [],
          last_heartbeat_ts: row.last_heartbeat_ts as number | null,
          status: this.recordedStatus(flow, row),
        }),
      );
      this.recordedRuns.set(flow, runs);
    }
    return runs;
  }

  /** The service's rule (docs/metaflow-service-api.md §2.2) over the recorded run metadata. */
  private recordedStatus(flow: string, row: Record<string, unknown>): ServiceStatus {
    const file = this.recorded.get(`/flows/${flow}/runs/${String(row.run_number)}/metadata`);
    const rows = file ? (this.load(file).body as Array<{ step_name: string; field_name: string; value: string; ts_epoch: number }>) : [];
    const end = rows.filter((m) => m.step_name === 'end').sort((a, b) => a.ts_epoch - b.ts_epoch);
    const ok = end.filter((m) => m.field_name === 'attempt_ok').pop();
    if (ok) {
      if (ok.value === 'True') return 'completed';
      return end.some((m) => m.field_name === 'attempt' && m.ts_epoch > ok.ts_epoch) ? 'running' : 'failed';
    }
    const heartbeat = row.last_heartbeat_ts as number | null;
    return heartbeat !== null && this.now() / 1000 - heartbeat <= RUN_INACTIVE_CUTOFF_S ? 'running' : 'failed';
  }

  private replay(file: string): Answer {
    const recorded = this.load(file);
    const headers = { ...recorded.headers };
    if (this.legacy) {
      delete headers.METADATA_SERVICE_VERSION;
      delete headers['X-Limit'];
      delete headers['X-Next-Cursor'];
    }
    const body = recorded.body_is_json ? JSON.stringify(recorded.body) : String(recorded.body);
    return { status: recorded.status, headers, body };
  }

  private load(file: string): Recorded {
    if (!this.recordings) throw new Error('no recordings');
    return JSON.parse(readFileSync(join(this.recordings, file), 'utf8')) as Recorded;
  }

  private unknown(segments: string[]): Answer {
    const last = segments[segments.length - 1] ?? '';
    return LIST_ENDPOINTS.has(last) ? this.json(200, []) : this.json(404, {});
  }

  private json(status: number, body: unknown): Answer {
    return { status, headers: this.baseHeaders(), body: JSON.stringify(body) };
  }

  private baseHeaders(): Record<string, string> {
    return this.legacy ? { 'Content-Type': TEXT } : { METADATA_SERVICE_VERSION: VERSION, 'Content-Type': TEXT };
  }
}

export async function startFakeMetadataService(opts: FakeOptions = {}): Promise<FakeMetadataService> {
  const recordings = opts.recordings === undefined ? RECORDINGS : opts.recordings;
  const recordedAt = recordings ? readIndex(recordings).recorded_at_epoch_ms : Date.now();
  const now = opts.now ?? (() => recordedAt);
  const app = Fastify({ logger: false });
  let fake: FakeMetadataService | null = null;
  app.get('/*', (request, reply) => fake!.handle(request, reply));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  fake = new FakeMetadataService(address + (opts.pathPrefix ?? ''), app, recordings, now, opts);
  return fake;
}

function readIndex(folder: string): Index {
  return JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8')) as Index;
}

/** Path plus query with decoded, sorted parameters: recorded keys and live URLs encode differently. */
function canonical(url: string): string {
  const [path, query = ''] = url.split('?', 2);
  const params = [...new URLSearchParams(query)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const decodedPath = decodeURIComponent(path);
  return params.length === 0 ? decodedPath : `${decodedPath}?${params.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

function matches(url: string, path: string | RegExp | undefined): boolean {
  if (path === undefined) return true;
  return typeof path === 'string' ? url.includes(path) : path.test(url);
}

/** Python's json.dumps spacing, so cursors look like the real ones. */
function encodeServiceCursor(run: FakeRun): string {
  return Buffer.from(`{"ts_epoch": ${run.ts_epoch}, "run_number": ${run.seq}}`).toString('base64');
}

function decodeServiceCursor(cursor: string): { ts: number; seq: number } | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { ts_epoch?: unknown; run_number?: unknown };
    return typeof value.ts_epoch === 'number' && typeof value.run_number === 'number' ? { ts: value.ts_epoch, seq: value.run_number } : null;
  } catch {
    return null;
  }
}

function faultAnswer(status: number, body: string | undefined): Answer {
  const text =
    body ??
    (status === 500
      ? JSON.stringify({ traceback: 'Traceback (most recent call last): ...', detail: 'database unavailable', status: 500, title: 'Internal Server Error', type: 'about:blank' })
      : JSON.stringify('Service Unavailable'));
  return { status, headers: { 'Content-Type': TEXT }, body: text };
}

function runJson(flow: string, run: FakeRun): Record<string, unknown> {
  return {
    flow_id: flow,
    run_number: run.id,
    user_name: run.user_name,
    ts_epoch: run.ts_epoch,
    tags: run.tags,
    system_tags: run.system_tags,
    last_heartbeat_ts: run.last_heartbeat_ts,
    user: run.user,
  };
}

interface MetadataRow {
  id: number;
  flow_id: string;
  run_number: number | string;
  step_name: string;
  task_id: number;
  field_name: string;
  value: string;
  type: string;
  user_name: string | null;
  ts_epoch: number;
  tags: string[];
  system_tags: null;
}

/** Steps, tasks and attempt metadata of a synthetic run, as its status implies. */
function runDetail(flow: string, run: FakeRun) {
  const stepNames = run.status === 'completed' ? ['_parameters', 'start', 'end'] : ['_parameters', 'start'];
  const common = { flow_id: flow, user_name: run.user_name, tags: run.tags, system_tags: run.system_tags };
  const steps = stepNames.map((name, i) => ({ ...common, run_number: String(run.id), step_name: name, ts_epoch: run.ts_epoch + i * 1000 }));
  const tasks = stepNames.map((name, i) => ({
    ...common,
    run_number: run.id,
    step_name: name,
    task_id: run.seq * 10 + i,
    ts_epoch: run.ts_epoch + i * 1000 + 5,
    last_heartbeat_ts: run.last_heartbeat_ts,
  }));
  const metadata: MetadataRow[] = [];
  const add = (task: (typeof tasks)[number], field: string, value: string, ts: number) =>
    metadata.push({
      id: task.task_id * 10 + metadata.length,
      flow_id: flow,
      run_number: run.id,
      step_name: task.step_name,
      task_id: task.task_id,
      field_name: field,
      value,
      type: field === 'attempt_ok' ? 'internal_attempt_status' : field,
      user_name: run.user_name,
      ts_epoch: ts,
      tags: ['attempt_id:0'],
      system_tags: null,
    });
  for (const task of tasks) {
    // Metaflow ≥ 2.16 names the graph's ends on the `_parameters` task, as the recordings show.
    if (task.step_name === '_parameters') add(task, 'end_step', 'end', task.ts_epoch + 1);
    const open = run.status !== 'completed' && task.step_name === 'start';
    if (task.step_name !== '_parameters') add(task, 'attempt', '0', task.ts_epoch + 10);
    if (open && run.status === 'running') continue;
    if (task.step_name !== '_parameters') add(task, 'attempt_ok', open ? 'False' : 'True', task.ts_epoch + 500);
    add(task, 'attempt-done', '0', task.ts_epoch + 510);
  }
  return { steps, tasks, metadata };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
