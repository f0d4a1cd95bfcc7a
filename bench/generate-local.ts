/**
 * A synthetic `.metaflow` folder in the format real Metaflow 2.19 writes with local metadata and
 * a local datastore (docs: metaflow-local-format.md §2–§9), large enough to time the client:
 * many small flows, one `BigFlow` with thousands of runs, a foreach of a thousand tasks and a
 * hundred-thousand-line log.
 *
 * Every JSON file has real Metaflow's keys, key order and `json.dump` spacing. Artifact values
 * are not synthesised: the blobs (and their `_meta` sidecars) are copied from the fixtures real
 * Metaflow wrote, and the synthetic tasks point at them, so each task's `data.json` is the
 * fixture task's table. Output depends only on `now`, the seed and the scale.
 */
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { prng } from '../test/support/prng';

export interface Scale {
  /** Small flows `Flow00`, `Flow01` …, each shaped like HelloFlow (start → a → end). */
  flows: number;
  runsPerFlow: number;
  /** Runs of `BigFlow`, newest first: running, the foreach run, then start → a → end runs. */
  bigRuns: number;
  /** Tasks of the foreach step `process` in BigFlow's newest finished run. */
  foreachTasks: number;
  /** Stdout lines of that run's `join` task. */
  logLines: number;
  /**
   * The newest BigFlow runs written whole. Older runs keep only the files a run listing reads to
   * show them (run and `_parameters` objects, `end_step`, and the attempt files of the steps that
   * decide the status: `end`, or every step of a failed run), so that ten thousand runs stay
   * around a hundred thousand files; listed, they look exactly like whole runs, but opening one
   * shows only those steps.
   */
  detailedRuns: number;
}

const DEFAULT_SCALE: Scale = {
  flows: 20,
  runsPerFlow: 3,
  bigRuns: 10_000,
  foreachTasks: 1_000,
  logLines: 100_000,
  detailedRuns: 100,
};

export interface GenerateOptions {
  /** The clock the timestamps are laid out from; the newest run is still running at this time. */
  now?: number;
  seed?: number;
  /** File system operations in flight. */
  concurrency?: number;
  /** The fixture `.metaflow` folder whose blobs are copied. */
  fixtures?: string;
}

export interface DatasetInfo {
  /** The `.metaflow` folder. */
  root: string;
  scale: Scale;
  files: number;
  dirs: number;
  bytes: number;
  elapsedMs: number;
  flows: string[];
  big: {
    flow: string;
    /** Newest first. */
    runIds: string[];
    running: string;
    /** Newest first. */
    failed: string[];
    failedStep: string;
    otherUser: { run: string; user: string };
    tagged: { run: string; tags: string[] }[];
    foreachRun: string;
    foreachStep: string;
    /** Task ids of the foreach step by index. */
    foreachTaskIds: string[];
    logTask: { step: string; task: string; lines: number; lastLine: string };
  };
}

const BIG_FLOW = 'BigFlow';
const USER = 'alice';
const OTHER_USER = 'bob';
const PYTHON_VERSION = '3.11.2';
const METAFLOW_VERSION = '2.19.38';
const FOREACH_VAR = 'items';
const FAILED_STEP = 'a';
const LOG_TASK_STEP = 'join';
/** Metaflow's default `--max-workers`: at most this many foreach tasks run at once. */
const MAX_WORKERS = 16;

// ── small helpers ──────────────────────────────────────────────────────────────────────────

/**
 * Where benchmark datasets go: BENCH_SCRATCH_DIR, else /dev/shm (tiny files are created many
 * times faster in memory than on a journaling disk), else the temp folder. /dev/shm holds about
 * three million files here, too few for a 100,000-task foreach (3.7 million files and folders).
 */
export function scratchParent(): string {
  return process.env.BENCH_SCRATCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
}

/** V8 refuses Promise.all over more than about two million promises: a 100,000-task run has 2.7 million files. */
const PROMISE_CHUNK = 100_000;

async function inChunks<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PROMISE_CHUNK) await Promise.all(items.slice(i, i + PROMISE_CHUNK).map(fn));
}

function uuid4(rand: () => number): string {
  const hex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const variant = (8 + Math.floor(rand() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

/** Python's `json.dumps` defaults: `", "` / `": "` separators and `\uXXXX` for non-ASCII. */
function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pyJson(k)}: ${pyJson(v)}`)
    .join(', ')}}`;
}

/** A Python float of seconds, as `<a>.attempt.json` holds it (`repr` keeps `.0` on whole numbers). */
function pySeconds(us: number): string {
  const text = String(us / 1e6);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** mflog's fixed-width UTC timestamp with microseconds. */
function mflogTime(us: number): string {
  const seconds = Math.floor(us / 1e6);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(us - seconds * 1e6).padStart(6, '0')}`;
}

function mflogLine(us: number, id: string, message: string): string {
  return `[MFLOG|0|${mflogTime(us)}Z|runtime|${id}]${message}`;
}

/** Bounds file system operations in flight; a finishing operation hands its slot to the next. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await op();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

/** Files of one subtree by relative path; written in one go once its folders exist. */
type Tree = Map<string, string>;

class Writer {
  files = 0;
  dirs = 0;
  bytes = 0;

  constructor(private readonly limiter: Limiter) {}

  async mkdir(path: string): Promise<void> {
    await this.limiter.run(() => fs.mkdir(path, { recursive: true }));
    this.dirs += 1;
  }

  async copy(from: string, to: string): Promise<void> {
    const size = await this.limiter.run(async () => {
      await fs.copyFile(from, to);
      return (await fs.stat(to)).size;
    });
    this.files += 1;
    this.bytes += size;
  }

  /**
   * Folders level by level with plain `mkdir` (a recursive one stats every ancestor), then all
   * files at once; the limiter keeps the number in flight bounded.
   */
  async tree(base: string, tree: Tree): Promise<void> {
    const levels: string[][] = [];
    const seen = new Set<string>();
    for (const path of tree.keys()) {
      const parts = path.split('/');
      for (let depth = 1; depth < parts.length; depth++) {
        const dir = parts.slice(0, depth).join('/');
        if (seen.has(dir)) continue;
        seen.add(dir);
        (levels[depth - 1] ??= []).push(dir);
      }
    }
    for (const level of levels) {
      await inChunks(level, (dir) => this.limiter.run(() => fs.mkdir(join(base, dir))));
      this.dirs += level.length;
    }
    await inChunks([...tree], ([path, text]) =>
      this.limiter.run(async () => {
        await fs.writeFile(join(base, path), text);
        this.files += 1;
        this.bytes += Buffer.byteLength(text);
      }),
    );
  }
}

// ── what the fixtures provide ──────────────────────────────────────────────────────────────

interface ArtifactInfo {
  size: number;
  type: string;
  encoding: string;
  serializer_info?: { source: string };
}

interface DataJson {
  python_version: string;
  objects: Record<string, string>;
  info: Record<string, ArtifactInfo>;
}

/** One fixture task: its artifact table (whose blobs get copied) and the lines it printed. */
interface TaskTemplate {
  flow: string;
  table: DataJson;
  stdout: string[];
  stderr: string[];
}

interface Templates {
  hello: Record<'_parameters' | 'start' | 'a' | 'end', TaskTemplate>;
  failedA: TaskTemplate;
  foreach: Record<'_parameters' | 'start' | 'process' | 'join' | 'end', TaskTemplate>;
}

/** The fixture folder, wherever this file was compiled to (`bench/` or `dist/bench/`). */
function findFixtures(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'test', 'fixtures', 'metaflow-local', '.metaflow');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`no test/fixtures/metaflow-local/.metaflow above ${__dirname}`);
  }
}

function messages(log: string): string[] {
  if (log === '') return [];
  return log.replace(/\n$/, '').split('\n').map((line) => line.slice(line.indexOf(']') + 1));
}

async function firstRun(fixtures: string, flow: string): Promise<string> {
  const ids = (await fs.readdir(join(fixtures, flow))).filter((d) => /^\d+$/.test(d)).sort();
  if (ids.length === 0) throw new Error(`fixture ${flow} has no run`);
  return ids[0];
}

async function taskTemplate(fixtures: string, flow: string, run: string, step: string): Promise<TaskTemplate> {
  const stepDir = join(fixtures, flow, run, step);
  const task = (await fs.readdir(stepDir)).filter((d) => /^\d+$/.test(d)).sort((x, y) => Number(x) - Number(y))[0];
  const read = (file: string): Promise<string> => fs.readFile(join(stepDir, task, file), 'utf8').catch(() => '');
  const [table, stdout, stderr] = await Promise.all([read('0.data.json'), read('0.runtime_stdout.log'), read('0.runtime_stderr.log')]);
  return { flow, table: JSON.parse(table) as DataJson, stdout: messages(stdout), stderr: messages(stderr) };
}

/** A successful `a` turned into a failed one: FailFlow's outcome, exception and (None) transition. */
function failedVersion(ok: TaskTemplate, failed: TaskTemplate): TaskTemplate {
  const objects = { ...ok.table.objects };
  const info = { ...ok.table.info };
  for (const name of ['_task_ok', '_success', '_exception', '_transition']) {
    objects[name] = failed.table.objects[name];
    info[name] = failed.table.info[name];
  }
  return { flow: failed.flow, table: { ...ok.table, objects, info }, stdout: ok.stdout, stderr: failed.stderr };
}

async function loadTemplates(fixtures: string): Promise<Templates> {
  const [hello, foreach, fail] = await Promise.all(['HelloFlow', 'ForeachFlow', 'FailFlow'].map((f) => firstRun(fixtures, f)));
  const t = (flow: string, run: string, step: string): Promise<TaskTemplate> => taskTemplate(fixtures, flow, run, step);
  const [hp, hs, ha, he, fp, fs_, fpr, fj, fe, explode] = await Promise.all([
    t('HelloFlow', hello, '_parameters'),
    t('HelloFlow', hello, 'start'),
    t('HelloFlow', hello, 'a'),
    t('HelloFlow', hello, 'end'),
    t('ForeachFlow', foreach, '_parameters'),
    t('ForeachFlow', foreach, 'start'),
    t('ForeachFlow', foreach, 'process'),
    t('ForeachFlow', foreach, 'join'),
    t('ForeachFlow', foreach, 'end'),
    t('FailFlow', fail, 'explode'),
  ]);
  return {
    hello: { _parameters: hp, start: hs, a: ha, end: he },
    failedA: failedVersion(ha, explode),
    foreach: { _parameters: fp, start: fs_, process: fpr, join: fj, end: fe },
  };
}

/** Each blob a flow's tasks point at, with the fixture flow it is copied from. */
function blobsOf(templates: TaskTemplate[]): Map<string, string> {
  const owner = new Map<string, string>();
  for (const t of templates) {
    for (const sha of Object.values(t.table.objects)) if (!owner.has(sha)) owner.set(sha, t.flow);
  }
  return owner;
}

// ── one run ────────────────────────────────────────────────────────────────────────────────

interface RunContext {
  flow: string;
  run: string;
  user: string;
  tags: string[];
  detailed: boolean;
  dsRoot: string;
  rand: () => number;
  tree: Tree;
}

interface TaskSpec {
  step: string;
  id: string;
  template: TaskTemplate;
  /** Microseconds since the epoch. */
  createdUs: number;
  startedUs: number;
  /** Null while the attempt runs. */
  doneUs: number | null;
  ok: boolean;
  foreach?: { index: number; value: string };
  stdout?: string[];
  /** Written as is instead of stamping `stdout` (the very long log). */
  stdoutFile?: string;
}

function systemTags(user: string): string[] {
  return [`python_version:${PYTHON_VERSION}`, `metaflow_version:${METAFLOW_VERSION}`, `user:${user}`, 'runtime:dev'];
}

const ms = (us: number): number => Math.floor(us / 1000);

function writeRunSelf(ctx: RunContext, createdUs: number): void {
  ctx.tree.set(
    `${ctx.run}/_meta/_self.json`,
    pyJson({ run_number: ctx.run, flow_id: ctx.flow, user_name: ctx.user, tags: ctx.tags, system_tags: systemTags(ctx.user), ts_epoch: ms(createdUs) + 2 }),
  );
}

function writeStepSelf(ctx: RunContext, step: string, createdUs: number): void {
  ctx.tree.set(
    `${ctx.run}/${step}/_meta/_self.json`,
    pyJson({ run_number: ctx.run, step_name: step, flow_id: ctx.flow, user_name: ctx.user, tags: ctx.tags, system_tags: systemTags(ctx.user), ts_epoch: ms(createdUs) - 1 }),
  );
}

function sysmeta(ctx: RunContext, step: string, task: string, field: string, type: string, value: unknown, tags: string[], tsMs: number): void {
  ctx.tree.set(
    `${ctx.run}/${step}/${task}/_meta/sysmeta_${field}_${tsMs}.json`,
    pyJson({ flow_id: ctx.flow, run_number: ctx.run, step_name: step, task_id: task, field_name: field, type, value, tags, user_name: ctx.user, ts_epoch: tsMs }),
  );
}

function writeTaskSelf(ctx: RunContext, step: string, id: string, createdUs: number): void {
  ctx.tree.set(
    `${ctx.run}/${step}/${id}/_meta/_self.json`,
    pyJson({ run_number: ctx.run, step_name: step, task_id: id, flow_id: ctx.flow, user_name: ctx.user, tags: ctx.tags, system_tags: systemTags(ctx.user), ts_epoch: ms(createdUs) }),
  );
}

function writeArtifacts(ctx: RunContext, step: string, id: string, template: TaskTemplate, doneMs: number): void {
  const dir = `${ctx.run}/${step}/${id}`;
  const table = template.table;
  ctx.tree.set(
    `${dir}/0.data.json`,
    pyJson({ datastore: 'local', version: '1.0', attempt: 0, python_version: table.python_version, objects: table.objects, info: table.info }),
  );
  for (const [name, sha] of Object.entries(table.objects)) {
    ctx.tree.set(
      `${dir}/_meta/0_artifact_${name}.json`,
      pyJson({
        run_number: ctx.run,
        step_name: step,
        task_id: id,
        attempt_id: 0,
        name,
        content_type: table.info[name]?.encoding ?? 'pickle-v4',
        type: 'metaflow.artifact',
        sha,
        ds_type: 'local',
        location: `:root:${ctx.dsRoot}`,
        flow_id: ctx.flow,
        user_name: ctx.user,
        tags: ctx.tags,
        system_tags: systemTags(ctx.user),
        ts_epoch: doneMs,
      }),
    );
  }
}

/** The `_parameters` pseudo-task (§10.1): no `attempt` entry and no logs, but the graph's ends. */
function writeParameters(ctx: RunContext, template: TaskTemplate, createdUs: number): void {
  const step = '_parameters';
  const done = ms(createdUs) + 8;
  writeStepSelf(ctx, step, createdUs);
  writeTaskSelf(ctx, step, '0', createdUs);
  sysmeta(ctx, step, '0', 'end_step', 'graph_structure', 'end', [], done + 4);
  if (!ctx.detailed) return;
  ctx.tree.set(`${ctx.run}/${step}/0/0.attempt.json`, `{"time": ${pySeconds(createdUs + 2000)}}`);
  ctx.tree.set(`${ctx.run}/${step}/0/0.DONE.lock`, '""');
  sysmeta(ctx, step, '0', 'attempt-done', 'attempt-done', '0', ['attempt_id:0'], done);
  sysmeta(ctx, step, '0', 'start_step', 'graph_structure', 'start', [], done + 4);
  writeArtifacts(ctx, step, '0', template, done);
}

/** Attempt 0 of a task, in the order §7 lists Metaflow's writes. */
function writeTask(ctx: RunContext, spec: TaskSpec): void {
  const { step, id } = spec;
  const dir = `${ctx.run}/${step}/${id}`;
  const attemptTag = ['attempt_id:0'];
  const started = ms(spec.startedUs);
  writeTaskSelf(ctx, step, id, spec.createdUs);
  ctx.tree.set(`${dir}/0.attempt.json`, `{"time": ${pySeconds(spec.startedUs)}}`);
  sysmeta(ctx, step, id, 'attempt', 'attempt', '0', attemptTag, started);
  if (spec.foreach) {
    sysmeta(ctx, step, id, 'foreach-stack', 'foreach-stack', [`${FOREACH_VAR}=${spec.foreach.value}`], attemptTag, started);
    sysmeta(ctx, step, id, 'foreach-execution-path', 'foreach-execution-path', `${step}:${spec.foreach.index}`, attemptTag, started);
  }
  if (spec.doneUs === null) return;

  const done = ms(spec.doneUs);
  sysmeta(ctx, step, id, 'attempt_ok', 'internal_attempt_status', spec.ok ? 'True' : 'False', attemptTag, done - 1);
  ctx.tree.set(`${dir}/0.DONE.lock`, '""');
  sysmeta(ctx, step, id, 'attempt-done', 'attempt-done', '0', attemptTag, done);
  if (!ctx.detailed) return;
  writeArtifacts(ctx, step, id, spec.template, done);
  ctx.tree.set(`${dir}/0.runtime_stdout.log`, spec.stdoutFile ?? stampLog(ctx, spec.stdout ?? spec.template.stdout, spec.startedUs, spec.doneUs));
  ctx.tree.set(`${dir}/0.runtime_stderr.log`, stampLog(ctx, spec.ok ? [] : spec.template.stderr, spec.startedUs, spec.doneUs));
}

/**
 * Lines stamped evenly across the attempt. Every line ends in `\n` except the runtime's own
 * `Task failed.` marker, which Metaflow writes without one (§9.3).
 */
function stampLog(ctx: RunContext, lines: string[], fromUs: number, toUs: number): string {
  if (lines.length === 0) return '';
  const step = Math.max(1, Math.floor((toUs - fromUs) / (lines.length + 1)));
  const text = lines.map((message, i) => mflogLine(fromUs + (i + 1) * step, uuid4(ctx.rand), message)).join('\n');
  return lines[lines.length - 1] === 'Task failed.' ? text : `${text}\n`;
}

/** `start → a → end`, stopping at a failed `a`, or in `a` while the run is still going. */
function writeLinearRun(ctx: RunContext, createdUs: number, outcome: 'successful' | 'failed' | 'running', templates: Templates): void {
  writeRunSelf(ctx, createdUs);
  let t = createdUs + 3000;
  const gap = (): number => 200_000 + Math.floor(ctx.rand() * 600_000);
  const duration = (): number => 500_000 + Math.floor(ctx.rand() * 2_500_000);
  writeParameters(ctx, templates.hello._parameters, t);
  t += 12_000;
  const steps = [
    { step: 'start', template: templates.hello.start },
    { step: 'a', template: outcome === 'failed' ? templates.failedA : templates.hello.a },
    { step: 'end', template: templates.hello.end },
  ];
  for (const [i, { step, template }] of steps.entries()) {
    const created = t + gap();
    const started = created + 700_000 + Math.floor(ctx.rand() * 300_000);
    const last = step === FAILED_STEP && outcome !== 'successful';
    const doneUs = last && outcome === 'running' ? null : started + duration();
    if (ctx.detailed || outcome !== 'successful' || step === 'end') {
      writeStepSelf(ctx, step, created);
      writeTask(ctx, { step, id: String(i + 1), template, createdUs: created, startedUs: started, doneUs, ok: !(last && outcome === 'failed') });
    }
    if (last || doneUs === null) return;
    t = doneUs;
  }
}

/** ForeachFlow's shape at scale: start → process × n (16 at a time) → join (the long log) → end. */
function writeForeachRun(ctx: RunContext, createdUs: number, scale: Scale, templates: Templates): DatasetInfo['big']['logTask'] & { taskIds: string[] } {
  const tpl = templates.foreach;
  writeRunSelf(ctx, createdUs);
  let t = createdUs + 3000;
  writeParameters(ctx, tpl._parameters, t);
  t += 400_000;
  writeStepSelf(ctx, 'start', t);
  writeTask(ctx, { step: 'start', id: '1', template: tpl.start, createdUs: t, startedUs: t + 800_000, doneUs: t + 1_600_000, ok: true });
  const splitDone = t + 1_600_000;

  const taskIds: string[] = [];
  const slots = Array.from({ length: MAX_WORKERS }, () => splitDone + 100_000);
  writeStepSelf(ctx, 'process', splitDone + 100_000);
  for (let index = 0; index < scale.foreachTasks; index++) {
    const slot = index % MAX_WORKERS;
    const created = slots[slot] + 5_000;
    const started = created + 600_000 + Math.floor(ctx.rand() * 200_000);
    const doneUs = started + 800_000 + Math.floor(ctx.rand() * 1_500_000);
    slots[slot] = doneUs;
    const id = String(2 + index);
    const value = `item${index}`;
    taskIds.push(id);
    writeTask(ctx, {
      step: 'process',
      id,
      template: tpl.process,
      createdUs: created,
      startedUs: started,
      doneUs,
      ok: true,
      foreach: { index, value },
      stdout: [`processing ${value} -> ${value.toUpperCase()}`],
    });
  }

  const joinCreated = Math.max(...slots) + 200_000;
  const joinStarted = joinCreated + 700_000;
  // Half a millisecond a line, and lines short enough that the file stays below the runtime's
  // default 10 MB log cap, past which real Metaflow would have cut the log.
  const joinDone = joinStarted + 1_000_000 + scale.logLines * 500;
  const lastLine = `joined ${scale.foreachTasks} results`;
  const lines: string[] = [];
  for (let i = 1; i < scale.logLines; i++) {
    lines.push(mflogLine(joinStarted + i * 500, uuid4(ctx.rand), `batch ${i} loss 0.${String(Math.floor(ctx.rand() * 100)).padStart(2, '0')}`));
  }
  lines.push(mflogLine(joinStarted + scale.logLines * 500, uuid4(ctx.rand), lastLine));
  const joinId = String(2 + scale.foreachTasks);
  writeStepSelf(ctx, LOG_TASK_STEP, joinCreated);
  writeTask(ctx, {
    step: LOG_TASK_STEP,
    id: joinId,
    template: tpl.join,
    createdUs: joinCreated,
    startedUs: joinStarted,
    doneUs: joinDone,
    ok: true,
    stdoutFile: `${lines.join('\n')}\n`,
  });

  const endCreated = joinDone + 300_000;
  writeStepSelf(ctx, 'end', endCreated);
  writeTask(ctx, { step: 'end', id: String(3 + scale.foreachTasks), template: tpl.end, createdUs: endCreated, startedUs: endCreated + 700_000, doneUs: endCreated + 1_400_000, ok: true });
  return { step: LOG_TASK_STEP, task: joinId, lines: scale.logLines, lastLine, taskIds };
}

// ── the folder ─────────────────────────────────────────────────────────────────────────────

/** BigFlow's runs by age (0 = newest): what each one is. */
function bigRunKind(age: number): 'running' | 'foreach' | 'failed' | 'successful' {
  if (age === 0) return 'running';
  if (age === 1) return 'foreach';
  return age % 7 === 3 ? 'failed' : 'successful';
}

function bigRunTags(age: number): string[] {
  if (age % 50 === 4) return ['nightly', 'team:ml'];
  return age % 10 === 4 ? ['nightly'] : [];
}

const OTHER_USER_AGE = 5;

async function writeFlowBase(writer: Writer, root: string, flow: string, createdMs: number, latestRun: string, fixtures: string, blobs: Map<string, string>): Promise<void> {
  const tree: Tree = new Map([
    ['_meta/_self.json', pyJson({ flow_id: flow, ts_epoch: createdMs })],
    ['latest_run', latestRun],
  ]);
  await writer.mkdir(join(root, flow));
  await writer.tree(join(root, flow), tree);
  const shards = [...new Set([...blobs.keys()].map((sha) => sha.slice(0, 2)))];
  await writer.mkdir(join(root, flow, 'data'));
  await Promise.all(shards.map((s) => writer.mkdir(join(root, flow, 'data', s))));
  await Promise.all(
    [...blobs].flatMap(([sha, from]) =>
      [sha, `${sha}_meta`].map((name) => writer.copy(join(fixtures, from, 'data', sha.slice(0, 2), name), join(root, flow, 'data', sha.slice(0, 2), name))),
    ),
  );
}

/**
 * Writes `<dir>/.metaflow` (which must not exist yet). Timestamps lead up to `now`: BigFlow's
 * newest run started two minutes earlier and is still in step `a`.
 */
export async function generateDataset(dir: string, scale: Partial<Scale> = {}, options: GenerateOptions = {}): Promise<DatasetInfo> {
  const began = performance.now();
  const s: Scale = { ...DEFAULT_SCALE, ...scale };
  const now = options.now ?? Date.now();
  const rand = prng(options.seed ?? 20261128);
  const fixtures = options.fixtures ?? findFixtures();
  const templates = await loadTemplates(fixtures);
  const root = join(dir, '.metaflow');
  const writer = new Writer(new Limiter(options.concurrency ?? 64));
  await fs.mkdir(root, { recursive: true });

  // BigFlow: runs roughly every nine minutes back from about forty minutes ago; ids increase.
  const nowUs = now * 1000;
  const createdUs: number[] = [];
  for (let age = 0; age < s.bigRuns; age++) {
    const base = age === 0 ? nowUs - 120_000_000 : nowUs - 40 * 60e6 - (age - 1) * 9 * 60e6;
    createdUs.push(base - (age === 0 ? 0 : Math.floor(rand() * 4 * 60e6)) - Math.floor(rand() * 1000));
  }
  const runIds = createdUs.map((us) => String(us));
  const bigBlobs = blobsOf([...Object.values(templates.hello), templates.failedA, ...Object.values(templates.foreach)]);
  await writeFlowBase(writer, root, BIG_FLOW, ms(createdUs[createdUs.length - 1]), runIds[0], fixtures, bigBlobs);
  const written: { foreach?: ReturnType<typeof writeForeachRun> } = {};
  const failed: string[] = [];
  const tagged: { run: string; tags: string[] }[] = [];
  // A few runs at a time, each written whole, keep memory flat; the limiter keeps the disk busy.
  await runPool(s.bigRuns, 32, async (age) => {
    const kind = bigRunKind(age);
    const user = age === OTHER_USER_AGE ? OTHER_USER : USER;
    const tags = [...bigRunTags(age), ...(user === OTHER_USER ? ['from-bob'] : [])];
    const ctx: RunContext = { flow: BIG_FLOW, run: runIds[age], user, tags, detailed: age < s.detailedRuns, dsRoot: root, rand: prng(hashSeed(options.seed, age)), tree: new Map() };
    if (kind === 'foreach') written.foreach = writeForeachRun({ ...ctx, detailed: true }, createdUs[age], s, templates);
    else writeLinearRun(ctx, createdUs[age], kind, templates);
    if (kind === 'failed') failed.push(runIds[age]);
    if (tags.length > 0) tagged.push({ run: runIds[age], tags });
    await writer.tree(join(root, BIG_FLOW), ctx.tree);
  });

  const flows: string[] = [BIG_FLOW];
  const smallBlobs = blobsOf(Object.values(templates.hello));
  await runPool(s.flows, 4, async (f) => {
    const flow = `Flow${String(f).padStart(2, '0')}`;
    flows.push(flow);
    const runs = Array.from({ length: s.runsPerFlow }, (_, i) => nowUs - (f + 1) * 3600e6 - (s.runsPerFlow - i) * 600e6 - (f * 7919 + i));
    await writeFlowBase(writer, root, flow, ms(runs[0]), String(runs[runs.length - 1]), fixtures, smallBlobs);
    for (const [i, us] of runs.entries()) {
      const ctx: RunContext = { flow, run: String(us), user: USER, tags: [], detailed: true, dsRoot: root, rand: prng(hashSeed(options.seed, -1 - f * 1000 - i)), tree: new Map() };
      writeLinearRun(ctx, us, 'successful', templates);
      await writer.tree(join(root, flow), ctx.tree);
    }
  });

  if (!written.foreach) throw new Error('BigFlow needs at least two runs for its foreach run');
  const { taskIds, ...logTask } = written.foreach;
  return {
    root,
    scale: s,
    files: writer.files,
    dirs: writer.dirs,
    bytes: writer.bytes,
    elapsedMs: performance.now() - began,
    flows: flows.sort(),
    big: {
      flow: BIG_FLOW,
      runIds,
      running: runIds[0],
      failed: failed.sort().reverse(),
      failedStep: FAILED_STEP,
      otherUser: { run: runIds[OTHER_USER_AGE], user: OTHER_USER },
      tagged: tagged.sort((x, y) => (x.run < y.run ? 1 : -1)),
      foreachRun: runIds[1],
      foreachStep: 'process',
      foreachTaskIds: taskIds,
      logTask,
    },
  };
}

/** Each run draws from its own stream, so the order runs are written in never changes them. */
function hashSeed(seed: number | undefined, n: number): number {
  return Math.imul((seed ?? 20261128) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 0x632be5ab, 0xc2b2ae35);
}

async function runPool(count: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

/**
 * `node dist/bench/generate-local.js <dir> [scale as JSON]`: writes the dataset, reports on
 * stderr and prints the DatasetInfo as JSON on stdout. The client bench runs it as a child
 * process so that its own memory figures hold only the client's.
 */
if (require.main === module) {
  const [dir, scaleJson] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: generate-local <dir> [scale as JSON]\n');
    process.exit(2);
  }
  generateDataset(dir, scaleJson ? (JSON.parse(scaleJson) as Partial<Scale>) : {}).then(
    (info) => {
      process.stderr.write(`wrote ${info.files} files in ${info.dirs} folders (${(info.bytes / 1048576).toFixed(1)} MiB) in ${(info.elapsedMs / 1000).toFixed(1)} s\n`);
      process.stdout.write(`${JSON.stringify(info)}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
