/**
 * `npm run bench:client`: times the Metaflow client over a synthetic local `.metaflow` folder
 * (see generate-local.ts) for the views the Slack app shows, cold and warm.
 *
 * Cold = a new client with an empty cache; warm = the same client again (median and p95 of 20).
 * Freshly generated files sit in the OS page cache, so cold measures the client's own work
 * (listing folders, reading and parsing files, deriving statuses), not disk latency.
 *
 * BENCH_DATASET_DIR=<dir> keeps the dataset in <dir> (generated there when absent) so that later
 * runs skip generation; without it the dataset goes to a temp folder that is removed at the end.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MetaflowClient, type TaskRef } from '../src/metaflow/client';
import { LocalDatastore } from '../src/metaflow/datastore/local';
import { LocalMetadataSource } from '../src/metaflow/local/metadata';
import type { LogPage } from '../src/metaflow/logtail';
import { DEFAULT_LOST_AFTER_MS } from '../src/metaflow/status';
import { scratchParent, type DatasetInfo } from './generate-local';

const WARM_REPEATS = 20;
const INFO_FILE = 'dataset.json';

interface Operation {
  name: string;
  run: (client: MetaflowClient) => Promise<void>;
}

interface Figure {
  name: string;
  coldMs: number;
  warmMedianMs: number;
  warmP95Ms: number;
}

function newClient(root: string): MetaflowClient {
  return new MetaflowClient({ metadata: new LocalMetadataSource(root), datastore: new LocalDatastore(root), now: () => Date.now() });
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench sanity check failed: ${what}`);
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A dataset kept in BENCH_DATASET_DIR, or null when it has to be generated. */
async function keptDataset(dir: string): Promise<DatasetInfo | null> {
  if (existsSync(join(dir, INFO_FILE))) return JSON.parse(await fs.readFile(join(dir, INFO_FILE), 'utf8')) as DatasetInfo;
  if (existsSync(join(dir, '.metaflow'))) {
    throw new Error(`${dir}/.metaflow exists without ${INFO_FILE} (an interrupted generation?); remove it and run again`);
  }
  return null;
}

/** In a child process, so that the memory figures below are the client's alone. */
async function generate(dir: string): Promise<DatasetInfo> {
  process.stdout.write(`generating the dataset in ${dir} …\n`);
  const child = spawn(process.execPath, [join(__dirname, 'generate-local.js'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let json = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (json += chunk));
  const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
  if (code !== 0) throw new Error(`generating the dataset failed (exit code ${code})`);
  const info = JSON.parse(json) as DatasetInfo;
  // Written last, so that its presence means the folder is complete.
  await fs.writeFile(join(dir, INFO_FILE), JSON.stringify(info));
  return info;
}

function logRefOf(info: DatasetInfo): TaskRef {
  return { flow: info.big.flow, run: info.big.foreachRun, step: info.big.logTask.step, task: info.big.logTask.task };
}

function operations(info: DatasetInfo, logCursor: string): Operation[] {
  const { flow, foreachRun, foreachStep, foreachTaskIds, logTask } = info.big;
  const logRef = logRefOf(info);
  return [
    {
      name: `list runs: first 20 of ${flow} with status`,
      run: async (c) => check((await c.listRuns(flow, { limit: 20 })).items.length === 20, 'a full first page of runs'),
    },
    {
      name: 'list runs: first 20 failed',
      run: async (c) => {
        const page = await c.listRuns(flow, { status: ['failed'], limit: 20 });
        check(page.items.length === 20 && page.items.every((r) => r.status === 'failed'), 'a full page of failed runs');
      },
    },
    {
      name: `run overview (getRunDetail, ${foreachTaskIds.length}-task foreach)`,
      run: async (c) => check((await c.getRunDetail(flow, foreachRun)).steps.some((s) => s.taskCount === foreachTaskIds.length), 'the foreach step'),
    },
    {
      name: `tasks: first 50 of ${foreachTaskIds.length}`,
      run: async (c) => check((await c.listTasks(flow, foreachRun, foreachStep, { limit: 50 })).items.length === 50, 'a page of tasks'),
    },
    {
      name: `tasks: first 50 of ${foreachTaskIds.length}, problems first`,
      run: async (c) => check((await c.listTasks(flow, foreachRun, foreachStep, { limit: 50, problemsFirst: true })).items.length === 50, 'a page of tasks'),
    },
    {
      name: 'artifacts of a task (listArtifacts)',
      run: async (c) => check((await c.listArtifacts({ flow, run: foreachRun, step: foreachStep, task: foreachTaskIds[0] })).length > 0, 'some artifacts'),
    },
    {
      name: `log tail: last 50 of ${logTask.lines.toLocaleString('en-US')} lines`,
      run: async (c) => {
        const page = await c.readLog(logRef, { stream: 'stdout', limit: 50 });
        check(page.lines.length === 50 && page.lines[49].message === logTask.lastLine, 'the last log line');
      },
    },
    {
      name: 'log: 5 pages of 50 further back',
      run: async (c) => {
        let before: string | null = logCursor;
        for (let i = 0; i < 5; i++) {
          const page: LogPage = await c.readLog(logRef, { stream: 'stdout', limit: 50, before });
          check(page.lines.length === 50, 'a full page of older log lines');
          before = page.older;
        }
      },
    },
  ];
}

async function measure(root: string, op: Operation): Promise<Figure> {
  const client = newClient(root);
  const coldMs = await timed(() => op.run(client));
  const warm: number[] = [];
  for (let i = 0; i < WARM_REPEATS; i++) warm.push(await timed(() => op.run(client)));
  warm.sort((a, b) => a - b);
  return { name: op.name, coldMs, warmMedianMs: percentile(warm, 50), warmP95Ms: percentile(warm, 95) };
}

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function table(figures: Figure[]): string {
  const head = ['operation', 'cold ms', 'warm median ms', 'warm p95 ms'];
  const rows = figures.map((f) => [f.name, fmt(f.coldMs), fmt(f.warmMedianMs), fmt(f.warmP95Ms)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function bench(dir: string, info: DatasetInfo, reused: boolean, began: number): Promise<void> {
  const { scale } = info;
  const root = join(dir, '.metaflow');
  const n = (x: number): string => x.toLocaleString('en-US');
  const intro = [
    `metaflowbot client bench: Node ${process.version}, ${cpus().length} CPUs`,
    `dataset: ${root}: ${n(info.flows.length)} flows; ${info.big.flow}: ${n(scale.bigRuns)} runs (newest ${n(scale.detailedRuns)} whole), ` +
      `a ${n(scale.foreachTasks)}-task foreach, a ${n(scale.logLines)}-line log`,
    reused
      ? `reused from BENCH_DATASET_DIR (${n(info.files)} files); its newest run counts as lost once ${DEFAULT_LOST_AFTER_MS / 60000} minutes old`
      : `generated ${n(info.files)} files in ${n(info.dirs)} folders (${mib(info.bytes)}) in ${(info.elapsedMs / 1000).toFixed(1)} s`,
    reused
      ? 'cold = new client, empty cache; the OS page cache may or may not hold a reused dataset, so cold figures may include disk reads'
      : 'cold = new client, empty cache; the OS page cache is warm (the files were just written), so no disk reads are timed',
    `warm = the same client again, median and p95 of ${WARM_REPEATS}`,
  ];
  process.stdout.write(`${intro.join('\n')}\n\n`);

  // A cursor only names files and offsets, so one from another client serves as well as the user's.
  const tail = await newClient(root).readLog(logRefOf(info), { stream: 'stdout', limit: 50 });
  if (!tail.older) throw new Error('bench sanity check failed: no older page before the log tail');
  const ops = operations(info, tail.older);

  const rssBefore = process.memoryUsage().rss;
  const figures: Figure[] = [];
  for (const op of ops) figures.push(await measure(root, op));

  // One client serving every view once: the cache a running app would hold after them.
  const session = newClient(root);
  const sessionMs = await timed(async () => {
    for (const op of ops) await op.run(session);
  });
  const cache = session.cache.stats();
  const memory = process.memoryUsage();

  process.stdout.write(`${table(figures)}\n\n`);
  process.stdout.write(
    `one client serving every view once: ${fmt(sessionMs)} ms; its cache: ${n(cache.entries)} entries, ~${mib(cache.bytes)}, ` +
      `${n(cache.hits)} hits / ${n(cache.misses)} misses\n`,
  );
  process.stdout.write(`memory: rss ${mib(rssBefore)} before the views, ${mib(memory.rss)} after (heap used ${mib(memory.heapUsed)})\n\n`);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'client',
      node: process.version,
      cpus: cpus().length,
      scale,
      dataset: { files: info.files, dirs: info.dirs, bytes: info.bytes, generateMs: reused ? null : Math.round(info.elapsedMs), reused },
      warmRepeats: WARM_REPEATS,
      figures: figures.map((f) => ({ name: f.name, coldMs: round(f.coldMs), warmMedianMs: round(f.warmMedianMs), warmP95Ms: round(f.warmP95Ms) })),
      session: { ms: round(sessionMs), cache },
      memory: { rssBefore, rss: memory.rss, heapUsed: memory.heapUsed },
      elapsedMs: Math.round(performance.now() - began),
    })}\n`,
  );
}

async function main(): Promise<void> {
  const began = performance.now();
  const kept = process.env.BENCH_DATASET_DIR;
  if (kept) {
    const info = await keptDataset(kept);
    await bench(kept, info ?? (await generate(kept)), info !== null, began);
    return;
  }
  const dir = await fs.mkdtemp(join(scratchParent(), 'metaflowbot-bench-'));
  try {
    await bench(dir, await generate(dir), false, began);
  } finally {
    const ms = await timed(() => fs.rm(dir, { recursive: true, force: true }));
    process.stderr.write(`temp dataset removed in ${(ms / 1000).toFixed(1)} s; total ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
