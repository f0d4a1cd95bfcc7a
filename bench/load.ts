/**
 * `npm run bench`: the bot under load, end to end. The real bot runs in a child process
 * (`metaflowbot start`, HTTP mode) against a fake Slack in this process; simulated users
 * (load-users.ts) send signed slash commands, clicks and App Home events, from 1 to 200 at a
 * time, and every request is timed from the outside:
 *
 * - ack: the HTTP response time of the signed request (Slack wants it within 3 s); next to it
 *   the bot's own view (its /metrics ack histogram, from Bolt receiving the request on: the
 *   difference is time the request waited before the bot's event loop got to it);
 * - first: until the fake Slack records the first view or message for it (views.open for a
 *   command: the loading view; views.push or views.update for a click; the response_url post);
 * - ready: until the view or message holding the answer itself.
 *
 * Backends: `local` (a synthetic `.metaflow` folder, generate-local.ts: BigFlow with 10,000
 * runs, a 1,000-task foreach) and `service` (the fake metadata service with a 10,000-run flow,
 * 2 ms per call, in its own process). Phases: cold (a new bot, one user), warm at each user
 * count, cold again at 50 users (a new bot, all at once); then the same step view with a
 * 1,000-task and a BENCH_BIG_TASKS-task foreach.
 *
 * Environment:
 *   BENCH_QUICK=1          a smaller dataset and fewer users: about a minute
 *   BENCH_USERS=1,10,50    user counts of the warm phases (default 1,10,50,200)
 *   BENCH_BACKENDS=local   (default local,service; empty: only the foreach step views)
 *   BENCH_BIG_TASKS=100000 the large foreach (default 5,000: 100,000 is 2.7 million files and a
 *                          million folders, which take over ten minutes to write on two cores and
 *                          do not fit the inodes of a 24 GB /dev/shm: set BENCH_SCRATCH_DIR too)
 *   BENCH_SCRATCH_DIR=dir  where datasets are generated (default /dev/shm, else the temp folder)
 *   BENCH_PHASE_SECONDS=15 the time cap of one phase (requests are not started after it)
 *   BENCH_DATASET_DIR=dir  keep the main dataset there and reuse it on later runs
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { DEFAULT_USERS, startFakeSlack, type FakeSlack, type FakeUser } from '../test/support/fake-slack';
import { scratchParent, type DatasetInfo, type Scale } from './generate-local';
import { startBotProcess, type BotMetrics, type BotProcess } from './load-bot';
import { startServiceProcess, type ServiceProcess } from './load-service';
import { Correlator, session, SimulatedUser, simulatedPeople, type Sample } from './load-users';

const SIGNING_SECRET = 'abcdef0123456789abcdef0123456789';
const BOT_TOKEN = 'xoxb-bench';
const RSS_SAMPLE_MS = 100;
const SERVICE_LATENCY_MS = 2;
/** A view not filled within this counts as an error: the user has long given up. */
const ANSWER_TIMEOUT_MS = 20_000;
/** Except when timing one large step cold, where the figure itself is wanted. */
const STEP_TIMEOUT_MS = 300_000;

const QUICK = process.env.BENCH_QUICK === '1';
const MAIN_SCALE: Partial<Scale> = QUICK ? { flows: 5, runsPerFlow: 2, bigRuns: 1000, foreachTasks: 1000, logLines: 10_000, detailedRuns: 30 } : {};
const SERVICE_RUNS = QUICK ? 1000 : 10_000;
const USER_COUNTS = (process.env.BENCH_USERS ?? (QUICK ? '1,10,50' : '1,10,50,200')).split(',').map(Number);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'local,service').split(',').filter((b) => b !== '') as ('local' | 'service')[];
const BIG_TASKS = Number(process.env.BENCH_BIG_TASKS ?? (QUICK ? 3000 : 5000));
const PHASE_MS = Number(process.env.BENCH_PHASE_SECONDS ?? (QUICK ? 8 : 15)) * 1000;
/** The targets of issue #8, checked at this many users. */
const TARGET_USERS = 50;

interface Phase {
  backend: string;
  name: string;
  users: number;
  samples: Sample[];
  elapsedMs: number;
  rssPeak: number | null;
  cache: { hits: number; misses: number };
  /** The ack histogram's counts during the phase (bot-side: from Bolt receiving the request to the ack). */
  botAcks: Map<number, number>;
  /** This process's event-loop delay p99 (ms): what the generator and fake Slack add to every figure. */
  generatorLagP99: number;
}

// ── statistics ─────────────────────────────────────────────────────────────────────────────

/** Nearest-rank percentile; NaN for no values. */
function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const defined = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);

/** The histogram bucket (ms) holding the p-th percentile: an upper bound, as coarse as the buckets. */
function bucketPct(buckets: Map<number, number>, p: number): number {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? 0;
  if (total === 0) return NaN;
  const bound = bounds.find((le) => (buckets.get(le) ?? 0) >= (p / 100) * total) ?? Infinity;
  return bound * 1000;
}

function summary(phase: Phase) {
  const s = phase.samples;
  const ack = s.map((x) => x.ackMs);
  const first = defined(s.map((x) => x.firstMs));
  const ready = defined(s.map((x) => x.readyMs));
  const opened = defined(s.filter((x) => x.kind === 'command runs').map((x) => x.firstMs));
  const clicks = defined(s.filter((x) => x.kind.startsWith('click')).map((x) => x.firstMs));
  const lookups = phase.cache.hits + phase.cache.misses;
  return {
    backend: phase.backend,
    phase: phase.name,
    users: phase.users,
    requests: s.length,
    perSecond: s.length / (phase.elapsedMs / 1000),
    errors: s.filter((x) => x.error !== null).length,
    refused: s.filter((x) => x.refused !== null).length,
    ack: { p50: pct(ack, 50), p95: pct(ack, 95), p99: pct(ack, 99) },
    botAckP99AtMost: bucketPct(phase.botAcks, 99),
    generatorLagP99: phase.generatorLagP99,
    first: { p50: pct(first, 50), p95: pct(first, 95), p99: pct(first, 99) },
    commandToOpen: { p50: pct(opened, 50), p99: pct(opened, 99) },
    clickToView: { p50: pct(clicks, 50), p99: pct(clicks, 99) },
    ready: { p50: pct(ready, 50), p95: pct(ready, 95), p99: pct(ready, 99) },
    rssPeakMiB: phase.rssPeak === null ? null : phase.rssPeak / 1048576,
    cacheHitRatio: lookups > 0 ? phase.cache.hits / lookups : NaN,
    errorKinds: errorKinds(s),
  };
}

function errorKinds(samples: Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  const count = (what: string): void => void (out[what] = (out[what] ?? 0) + 1);
  for (const s of samples) {
    if (s.error) count(`${s.kind}: ${s.error}`);
    if (s.refused) count(`${s.kind}: ${s.refused}, answered another way`);
  }
  return out;
}

function byKind(phase: Phase): { kind: string; n: number; ackP99: number; firstP99: number; readyP50: number; readyP99: number }[] {
  const kinds = [...new Set(phase.samples.map((s) => s.kind))];
  return kinds.map((kind) => {
    const s = phase.samples.filter((x) => x.kind === kind);
    const ready = defined(s.map((x) => x.readyMs));
    return { kind, n: s.length, ackP99: pct(s.map((x) => x.ackMs), 99), firstP99: pct(defined(s.map((x) => x.firstMs)), 99), readyP50: pct(ready, 50), readyP99: pct(ready, 99) };
  });
}

// ── formatting ─────────────────────────────────────────────────────────────────────────────

const ms = (x: number): string => (Number.isNaN(x) ? '–' : !Number.isFinite(x) ? 'inf' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function phaseTable(phases: Phase[]): string {
  const head = ['backend', 'phase', 'users', 'req', 'req/s', 'err', 'fallback', 'ack p50', 'ack p95', 'ack p99', 'bot ack p99', 'cmd→open p99', 'click→view p99', 'first p99', 'ready p50', 'ready p95', 'ready p99', 'RSS MiB', 'cache hit', 'gen lag p99'];
  const rows = phases.map(summary).map((x) => [
    x.backend,
    x.phase,
    String(x.users),
    String(x.requests),
    x.perSecond.toFixed(1),
    String(x.errors),
    String(x.refused),
    ms(x.ack.p50),
    ms(x.ack.p95),
    ms(x.ack.p99),
    `≤${ms(x.botAckP99AtMost)}`,
    ms(x.commandToOpen.p99),
    ms(x.clickToView.p99),
    ms(x.first.p99),
    ms(x.ready.p50),
    ms(x.ready.p95),
    ms(x.ready.p99),
    x.rssPeakMiB === null ? '–' : x.rssPeakMiB.toFixed(0),
    Number.isNaN(x.cacheHitRatio) ? '–' : `${(x.cacheHitRatio * 100).toFixed(0)}%`,
    ms(x.generatorLagP99),
  ]);
  return table(head, rows);
}

const out = (text = ''): void => void process.stdout.write(`${text}\n`);

const LEGEND = [
  'err: requests whose answer never came (or Slack refused); fallback: answered another way after a Slack refusal (a modal command as a',
  'message when its trigger expired; a view in place when the stack was full); bot ack p99: the bucket of the bot’s own ack histogram',
  '(Bolt receiving the request to the ack) holding p99;',
  'cache hit: of the client cache during the phase; gen lag p99: this process’s event-loop delay, the measuring error of every figure',
].join('\n');

// ── the dataset ────────────────────────────────────────────────────────────────────────────

/**
 * In a child process, as the client bench does, so that this process stays small. The generator
 * holds a run's files in memory before writing them: a 100,000-task foreach needs more than
 * Node's default 4 GB heap.
 */
async function generate(dir: string, scale: Partial<Scale>): Promise<DatasetInfo> {
  const heap = (scale.foreachTasks ?? 0) > 20_000 ? ['--max-old-space-size=16384'] : [];
  const child = spawn(process.execPath, [...heap, join(__dirname, 'generate-local.js'), dir, JSON.stringify(scale)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let json = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (json += chunk));
  const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
  if (code !== 0) throw new Error(`generating the dataset failed (exit code ${code})`);
  return JSON.parse(json) as DatasetInfo;
}

/** BENCH_DATASET_DIR's dataset when it has this scale, else a new one there (or in a temp folder). */
async function mainDataset(scratch: string): Promise<{ info: DatasetInfo; dir: string; reused: boolean }> {
  const kept = process.env.BENCH_DATASET_DIR;
  const dir = kept ?? join(scratch, 'main');
  const infoFile = join(dir, 'load-dataset.json');
  if (kept && existsSync(infoFile)) {
    const info = JSON.parse(await fs.readFile(infoFile, 'utf8')) as DatasetInfo & { requested: Partial<Scale> };
    if (JSON.stringify(info.requested) === JSON.stringify(MAIN_SCALE)) return { info, dir, reused: true };
    throw new Error(`${dir} holds a dataset of another scale; remove it or point BENCH_DATASET_DIR elsewhere`);
  }
  const info = await generate(dir, MAIN_SCALE);
  if (kept) await fs.writeFile(infoFile, JSON.stringify({ ...info, requested: MAIN_SCALE }));
  return { info, dir, reused: false };
}

// ── running phases ─────────────────────────────────────────────────────────────────────────

interface Target {
  backend: string;
  env: Record<string, string>;
  flow: string;
}

class Bench {
  readonly phases: Phase[] = [];
  private bot: BotProcess | null = null;
  private starts = 0;

  constructor(
    private readonly fake: FakeSlack,
    private readonly users: FakeUser[],
    private readonly logDir: string,
  ) {}

  async restart(target: Target): Promise<void> {
    await this.bot?.stop();
    this.bot = await startBotProcess(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: this.fake.url,
        METAFLOWBOT_STATE_PATH: ':memory:',
        METAFLOW_HOME: '/nonexistent-metaflow-home',
        ...target.env,
      },
      join(this.logDir, `bot-${++this.starts}-${target.backend}.log`),
    );
  }

  async stop(): Promise<void> {
    await this.bot?.stop();
    this.bot = null;
  }

  /** `users` people at once, each running `work` until its turns are done or the time is up. */
  async phase(
    target: Target,
    name: string,
    users: number,
    turns: number,
    work: (user: SimulatedUser, turn: number, deadline: number) => Promise<void>,
    answerTimeoutMs = ANSWER_TIMEOUT_MS,
  ): Promise<Phase> {
    const bot = this.bot;
    if (!bot) throw new Error('no bot running');
    const samples: Sample[] = [];
    const correlator = new Correlator(this.fake, answerTimeoutMs);
    const people = this.users.slice(0, users).map((user) => new SimulatedUser({ fake: this.fake, correlator, baseUrl: bot.baseUrl, signingSecret: SIGNING_SECRET, user, record: (s) => samples.push(s) }));
    let rssPeak = bot.rss();
    const sampler = setInterval(() => {
      const rss = bot.rss();
      if (rss !== null) rssPeak = Math.max(rssPeak ?? 0, rss);
    }, RSS_SAMPLE_MS);
    let elapsedMs: number;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    let before: BotMetrics;
    let after: BotMetrics;
    try {
      before = await bot.metrics();
      const started = performance.now();
      const deadline = Date.now() + PHASE_MS;
      await Promise.all(
        people.map(async (person, i) => {
          for (let turn = 0; turn < turns && Date.now() < deadline; turn++) await work(person, i + turn * users, deadline);
        }),
      );
      elapsedMs = performance.now() - started;
      after = await bot.metrics();
    } finally {
      clearInterval(sampler);
      correlator.close();
      lag.disable();
    }
    const botAcks = new Map([...after.ackBuckets].map(([le, n]) => [le, n - (before.ackBuckets.get(le) ?? 0)]));
    const phase: Phase = { backend: target.backend, name, users, samples, elapsedMs, rssPeak, cache: { hits: after.cacheHits - before.cacheHits, misses: after.cacheMisses - before.cacheMisses }, botAcks, generatorLagP99: lag.percentile(99) / 1e6 };
    this.phases.push(phase);
    const x = summary(phase);
    process.stderr.write(`  ${target.backend} ${name} ×${users}: ${x.requests} requests in ${(elapsedMs / 1000).toFixed(1)} s, ${x.errors} errors, ${x.refused} fallbacks, ack p99 ${ms(x.ack.p99)} ms, ready p99 ${ms(x.ready.p99)} ms\n`);
    for (const [what, n] of Object.entries(x.errorKinds)) process.stderr.write(`    ${n} × ${what}\n`);
    return phase;
  }
}

function turnsFor(users: number): number {
  if (users <= 1) return QUICK ? 3 : 6;
  if (users <= 10) return 3;
  if (users <= 50) return 2;
  return 1;
}

async function loadPhases(bench: Bench, target: Target, runsShown: number): Promise<void> {
  const plan = { flow: target.flow, runsShown };
  await bench.restart(target);
  await bench.phase(target, 'cold', 1, 1, (u, t, deadline) => session(u, plan, t, deadline));
  for (const users of USER_COUNTS) await bench.phase(target, 'warm', users, turnsFor(users), (u, t, deadline) => session(u, plan, t, deadline));
  await bench.restart(target);
  await bench.phase(target, 'cold', TARGET_USERS, 1, (u, t, deadline) => session(u, plan, t, deadline));
}

/** One foreach step's view (`inspect Flow/run/step`), cold (new bot, one user) then warm (10 users). */
async function stepPhases(bench: Bench, target: Target, info: DatasetInfo, label: string): Promise<{ cold: Phase; warm: Phase }> {
  const text = `inspect ${info.big.flow}/${info.big.foreachRun}/${info.big.foreachStep}`;
  await bench.restart(target);
  const inspect = (u: SimulatedUser): Promise<void> => u.command(text, 'command inspect step').then(() => undefined);
  const cold = await bench.phase(target, `${label} cold`, 1, 1, inspect, STEP_TIMEOUT_MS);
  const warm = await bench.phase(target, `${label} warm`, 10, 5, inspect, STEP_TIMEOUT_MS);
  return { cold, warm };
}

function localTarget(info: DatasetInfo, name = 'local'): Target {
  // The folder that holds `.metaflow`, as METAFLOW_DATASTORE_SYSROOT_LOCAL names it.
  const holder = info.root.replace(/\/\.metaflow$/, '');
  return { backend: name, flow: info.big.flow, env: { METAFLOW_DEFAULT_METADATA: 'local', METAFLOW_DEFAULT_DATASTORE: 'local', METAFLOW_DATASTORE_SYSROOT_LOCAL: holder } };
}

// ── main ───────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const began = performance.now();
  const scratch = await fs.mkdtemp(join(scratchParent(), 'metaflowbot-load-'));
  const maxUsers = Math.max(TARGET_USERS, ...USER_COUNTS, 10);
  const users = [...DEFAULT_USERS, ...simulatedPeople(maxUsers)];
  const fake = await startFakeSlack({ token: BOT_TOKEN, users });
  const bench = new Bench(fake, users, scratch);
  let service: ServiceProcess | null = null;
  try {
    out(`metaflowbot load bench: Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${new Date().toISOString()}${QUICK ? ', quick mode' : ''}`);
    out(`the bot: a child process (metaflowbot start, HTTP, LOG_LEVEL=info to a file); fake Slack and the simulated users: this process`);
    const main = await mainDataset(scratch);
    const { info } = main;
    out(
      `local dataset: ${info.big.flow} with ${info.scale.bigRuns.toLocaleString('en-US')} runs, a ${info.scale.foreachTasks.toLocaleString('en-US')}-task foreach, ` +
        `${info.files.toLocaleString('en-US')} files${main.reused ? ' (reused)' : `, generated in ${(info.elapsedMs / 1000).toFixed(1)} s`}`,
    );
    out(`service backend: fake metadata service (own process) with a ${SERVICE_RUNS.toLocaleString('en-US')}-run flow, ${SERVICE_LATENCY_MS} ms per call`);
    out(`a session: /metaflow runs → Inspect a run → a step → a task (artifacts) → its stdout → /metaflow status → App Home; phases capped at ${PHASE_MS / 1000} s`);
    out();

    for (const backend of BACKENDS) {
      process.stderr.write(`${backend} backend\n`);
      if (backend === 'local') {
        await loadPhases(bench, localTarget(info), 20);
      } else {
        service = await startServiceProcess('BigFlow', SERVICE_RUNS, SERVICE_LATENCY_MS);
        const empty = join(scratch, 'empty-datastore');
        await fs.mkdir(empty, { recursive: true });
        const target: Target = {
          backend: 'service',
          flow: 'BigFlow',
          env: { METAFLOW_DEFAULT_METADATA: 'service', METAFLOW_SERVICE_URL: service.url, METAFLOW_DEFAULT_DATASTORE: 'local', METAFLOW_DATASTORE_SYSROOT_LOCAL: empty },
        };
        await loadPhases(bench, target, 20);
        await bench.stop();
        await service.stop();
        service = null;
      }
    }
    await bench.stop();
    const loadPhasesDone = [...bench.phases];

    process.stderr.write(`tasks: ${info.scale.foreachTasks} and ${BIG_TASKS}\n`);
    const small = await stepPhases(bench, localTarget(info, 'local'), info, `${info.scale.foreachTasks}-task step`);
    await bench.stop();
    const bigDir = join(scratch, 'big-foreach');
    const bigInfo = await generate(bigDir, { flows: 1, runsPerFlow: 1, bigRuns: 3, foreachTasks: BIG_TASKS, logLines: 1000, detailedRuns: 3 });
    const big = await stepPhases(bench, localTarget(bigInfo, 'local'), bigInfo, `${BIG_TASKS}-task step`);
    await bench.stop();

    out('Load (all requests of the phase; ms):');
    out(phaseTable(loadPhasesDone));
    out(LEGEND);
    out();
    for (const phase of loadPhasesDone.filter((p) => p.name === 'warm' && p.users === TARGET_USERS)) {
      out(`By request, ${phase.backend}, warm, ${phase.users} users (ms):`);
      out(table(['kind', '', 'n', 'ack p99', 'first p99', 'ready p50', 'ready p99'], byKind(phase).map((k) => [k.kind, '', String(k.n), ms(k.ackP99), ms(k.firstP99), ms(k.readyP50), ms(k.readyP99)])));
      out();
    }
    const errors = loadPhasesDone.flatMap((p) => Object.entries(summary(p).errorKinds).map(([k, n]) => `${p.backend} ${p.name} ×${p.users}: ${n} × ${k}`));
    if (errors.length > 0) out(`Errors and fallbacks:\n  ${errors.join('\n  ')}\n`);

    out(`A foreach step's view, /metaflow inspect <run>/<step> (ms):`);
    out(phaseTable([small.cold, small.warm, big.cold, big.warm]));
    out();

    out('Targets (issue #8):');
    for (const line of verdicts(loadPhasesDone, { ...small, tasks: info.scale.foreachTasks }, big)) out(`  ${line}`);
    out();
    const rssPeak = Math.max(...bench.phases.map((p) => p.rssPeak ?? 0)) / 1048576;
    out(
      JSON.stringify({
        bench: 'load',
        node: process.version,
        cpus: cpus().length,
        quick: QUICK,
        date: new Date().toISOString(),
        scale: info.scale,
        bigTasks: BIG_TASKS,
        serviceRuns: SERVICE_RUNS,
        phases: bench.phases.map(summary),
        rssPeakMiB: rssPeak,
        elapsedMs: Math.round(performance.now() - began),
      }),
    );
  } catch (err) {
    // The bot's log is the only account of what went wrong on its side; the scratch folder goes.
    for (const log of (await fs.readdir(scratch)).filter((f) => f.endsWith('.log'))) {
      const text = await fs.readFile(join(scratch, log), 'utf8');
      process.stderr.write(`--- last lines of ${log} ---\n${text.split('\n').slice(-30).join('\n')}\n`);
    }
    throw err;
  } finally {
    await bench.stop();
    await service?.stop();
    await fake.close();
    const removed = performance.now();
    await fs.rm(scratch, { recursive: true, force: true });
    process.stderr.write(`scratch removed in ${((performance.now() - removed) / 1000).toFixed(1)} s; total ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
  }
}

function verdicts(phases: Phase[], small: { cold: Phase; warm: Phase; tasks: number }, big: { cold: Phase; warm: Phase }): string[] {
  const lines: string[] = [];
  const mark = (ok: boolean): string => (ok ? 'met    ' : 'NOT met');
  for (const backend of BACKENDS) {
    const at = phases.find((p) => p.backend === backend && p.name === 'warm' && p.users === TARGET_USERS);
    if (at) {
      const x = summary(at);
      lines.push(`${mark(x.ack.p99 <= 50)}  ${backend}: ack p99 ${ms(x.ack.p99)} ms at ${TARGET_USERS} users (target ≤ 50 ms)`);
      lines.push(`${mark(x.commandToOpen.p99 <= 300)}  ${backend}: command → views.open p99 ${ms(x.commandToOpen.p99)} ms at ${TARGET_USERS} users (target ≤ 300 ms)`);
    }
    const cold = phases.find((p) => p.backend === backend && p.name === 'cold' && p.users === 1);
    const firstCommand = cold?.samples.find((s) => s.kind === 'command runs');
    if (firstCommand) {
      const ready = firstCommand.readyMs ?? Infinity;
      lines.push(`${mark(ready <= 1500)}  ${backend}: cold first view ${ms(ready)} ms (runs modal filled; its loading view after ${ms(firstCommand.firstMs ?? NaN)} ms) (target ≤ 1.5 s)`);
    }
  }
  const rss = Math.max(...[...phases, small.cold, small.warm, big.cold, big.warm].map((p) => p.rssPeak ?? 0)) / 1048576;
  lines.push(`${mark(rss <= 250)}  RSS peak ${rss.toFixed(0)} MiB over every phase (target ≤ 250 MB)`);
  const p99 = (p: Phase): number => summary(p).ready.p99;
  const ratio = p99(big.warm) / p99(small.warm);
  const label = `${BIG_TASKS.toLocaleString('en-US')} vs ${small.tasks.toLocaleString('en-US')} tasks`;
  lines.push(`${mark(ratio <= 2)}  step view ready p99, ${label}: ${ms(p99(big.warm))} / ${ms(p99(small.warm))} ms = ${ratio.toFixed(2)}× warm; cold ${ms(p99(big.cold))} / ${ms(p99(small.cold))} ms (target ≤ 2× with 100,000 vs 1,000${BIG_TASKS === 100_000 ? '' : `; measured with ${BIG_TASKS.toLocaleString('en-US')}`})`);
  return lines;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
