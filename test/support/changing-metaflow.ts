/**
 * A local `.metaflow` folder that a test changes while the bot watches it: runs appear, fail,
 * finish or go silent, written the way Metaflow 2.19 writes them (metaflow-local-format.md).
 *
 *   const mf = await ChangingMetaflow.create(['WatchFlow']);
 *   const run = await mf.appear('WatchFlow', { user: 'bob', tags: ['nightly'] }); // start is running
 *   await mf.fail('WatchFlow', run);    // step `a`, task 2, attempt 0 failed: ValueError + stderr
 *   await mf.appear('WatchFlow', { at: Date.now() - 600_000 });  // any change can be backdated
 *   await mf.finish('WatchFlow', run);  // start, a and end succeeded
 *   // a run left alone goes `lost` once silent past the bot's lostAfterMs
 *
 * Every flow is a copy of the fixture HelloFlow (start → a → end): its flow object and its
 * blobs, so the graph, parameters and artifacts of each new run read like a real one. A
 * failure's `_exception` is the fixture FailFlow's (a ValueError raised in a step); its stderr
 * is written here, ending with a line that names the run. Times are the real clock, since the
 * bot derives status and "lost" from them. Every file is written to a temporary name and
 * renamed, as Metaflow does, so a poll never reads half a file.
 */
import { existsSync, promises as fs } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LOCAL_ROOT } from './fixtures';

const TEMPLATE_FLOW = 'HelloFlow';
const TEMPLATE_RUN = join(LOCAL_ROOT, TEMPLATE_FLOW, '1795835881413377');
const FAILED_TASK = join(LOCAL_ROOT, 'FailFlow', '1795835906791541', 'explode', '2');
const FAIL_FLOW_DATA = join(LOCAL_ROOT, 'FailFlow', 'data');

/** The exception the fixture FailFlow raised; every failed run here carries it. */
export const FIXTURE_EXCEPTION = { type: 'ValueError', message: 'boom: intentional failure for fixtures' };

export interface RunOptions {
  /** Default `alice`. */
  user?: string;
  tags?: string[];
  /** Added to Metaflow's own (`user:…`, versions), e.g. `project:fraud`. */
  systemTags?: string[];
  /** When it started (epoch ms); default now. */
  at?: number;
}

interface TaskSpec {
  step: string;
  task: string;
  /** Absent: still running. */
  ok?: boolean;
  /** A fixture task whose artifact table (and index) the task gets. */
  artifactsFrom?: string;
  stderr?: string[];
}

/** mflog's line format with a fixed-width UTC timestamp (§9.2). */
function mflog(ms: number, message: string): string {
  return `[MFLOG|0|${new Date(ms).toISOString().slice(0, 23)}000Z|runtime|${randomUUID()}]${message}`;
}

export class ChangingMetaflow {
  /** Run ids handed out, per flow: two runs started in one millisecond still get two ids. */
  private readonly ids = new Set<string>();

  private constructor(
    /** The folder holding `.metaflow`. */
    readonly home: string,
  ) {}

  /** The `.metaflow` folder. */
  get root(): string {
    return join(this.home, '.metaflow');
  }

  static async create(flows: readonly string[]): Promise<ChangingMetaflow> {
    const mf = new ChangingMetaflow(await fs.mkdtemp(join(tmpdir(), 'metaflowbot-watch-')));
    await fs.mkdir(mf.root);
    for (const flow of flows) await mf.addFlow(flow);
    return mf;
  }

  async addFlow(flow: string): Promise<void> {
    const dir = join(this.root, flow);
    await fs.cp(join(LOCAL_ROOT, TEMPLATE_FLOW, 'data'), join(dir, 'data'), { recursive: true });
    // The failed task's blobs, its `_exception` among them, live in FailFlow's own store.
    const table = JSON.parse(await fs.readFile(join(FAILED_TASK, '0.data.json'), 'utf8')) as { objects: Record<string, string> };
    for (const sha of Object.values(table.objects)) {
      const to = join(dir, 'data', sha.slice(0, 2), sha);
      if (existsSync(to)) continue;
      await fs.mkdir(dirname(to), { recursive: true });
      await fs.copyFile(join(FAIL_FLOW_DATA, sha.slice(0, 2), sha), to);
      await fs.copyFile(join(FAIL_FLOW_DATA, sha.slice(0, 2), `${sha}_meta`), `${to}_meta`);
    }
    await this.write(join(dir, '_meta', '_self.json'), { flow_id: flow, ts_epoch: Date.now() });
  }

  /** A new run whose `start` task is running. Returns its id (creation time in µs, as Metaflow's). */
  async appear(flow: string, opts: RunOptions = {}): Promise<string> {
    let id = (opts.at ?? Date.now()) * 1000;
    while (this.ids.has(`${flow}/${id}`)) id += 1;
    this.ids.add(`${flow}/${id}`);
    const run = String(id);
    const user = opts.user ?? 'alice';
    const dir = join(this.root, flow, run);
    await fs.cp(join(TEMPLATE_RUN, '_parameters'), join(dir, '_parameters'), { recursive: true });
    await this.write(join(dir, '_meta', '_self.json'), {
      run_number: run,
      flow_id: flow,
      user_name: user,
      tags: opts.tags ?? [],
      system_tags: ['python_version:3.11.2', 'metaflow_version:2.19.38', `user:${user}`, 'runtime:dev', ...(opts.systemTags ?? [])],
      ts_epoch: Math.floor(id / 1000),
    });
    await this.task(flow, run, { step: 'start', task: '1' }, Math.floor(id / 1000));
    return run;
  }

  /** `start` succeeded, then task 2 of step `a` failed: exception, stderr, attempt_ok False. */
  async fail(flow: string, run: string, at = Date.now()): Promise<void> {
    await this.task(flow, run, { step: 'start', task: '1', ok: true }, at);
    await this.task(flow, run, {
      step: 'a',
      task: '2',
      ok: false,
      artifactsFrom: FAILED_TASK,
      stderr: [
        `<flow ${flow} step a> failed:`,
        'Traceback (most recent call last):',
        '  File "flow.py", line 19, in a',
        `    raise ValueError("${FIXTURE_EXCEPTION.message}")`,
        `ValueError: ${FIXTURE_EXCEPTION.message}`,
        `stderr of ${flow}/${run}`,
        'Task failed.',
      ],
    }, at);
  }

  /** Every step succeeded. */
  async finish(flow: string, run: string, at = Date.now()): Promise<void> {
    await this.task(flow, run, { step: 'start', task: '1', ok: true }, at);
    await this.task(flow, run, { step: 'a', task: '2', ok: true, artifactsFrom: join(TEMPLATE_RUN, 'a', '2') }, at);
    await this.task(flow, run, { step: 'end', task: '3', ok: true, artifactsFrom: join(TEMPLATE_RUN, 'end', '3') }, at);
  }

  /** Writes what is missing of a task. Artifacts and logs go before the status entries, so
   *  that a poll seeing the outcome also finds its details. */
  private async task(flow: string, run: string, spec: TaskSpec, now: number): Promise<void> {
    const stepDir = join(this.root, flow, run, spec.step);
    const dir = join(stepDir, spec.task);
    const meta = join(dir, '_meta');
    const object = { run_number: run, step_name: spec.step, flow_id: flow, user_name: 'alice', tags: [], system_tags: [], ts_epoch: now };
    if (!existsSync(join(stepDir, '_meta', '_self.json'))) await this.write(join(stepDir, '_meta', '_self.json'), object);
    if (!existsSync(join(meta, '_self.json'))) {
      await this.write(join(meta, '_self.json'), { ...object, task_id: spec.task });
      await this.write(join(dir, '0.attempt.json'), { time: now / 1000 });
      await this.sysmeta(meta, { flow, run, spec, field: 'attempt', type: 'attempt', value: '0', ts: now });
    }
    if (spec.ok === undefined || existsSync(join(dir, '0.DONE.lock'))) return;
    if (spec.artifactsFrom) {
      await fs.copyFile(join(spec.artifactsFrom, '0.data.json'), join(dir, '0.data.json'));
      for (const file of (await fs.readdir(join(spec.artifactsFrom, '_meta'))).filter((f) => f.startsWith('0_artifact_'))) {
        const index = JSON.parse(await fs.readFile(join(spec.artifactsFrom, '_meta', file), 'utf8')) as Record<string, unknown>;
        await this.write(join(meta, file), { ...index, run_number: run, step_name: spec.step, task_id: spec.task, flow_id: flow, ts_epoch: now });
      }
    }
    const stderr = (spec.stderr ?? []).map((line) => mflog(now, line)).join('\n');
    await this.writeText(join(dir, '0.runtime_stderr.log'), stderr === '' ? '' : `${stderr}\n`);
    await this.writeText(join(dir, '0.runtime_stdout.log'), '');
    await this.sysmeta(meta, { flow, run, spec, field: 'attempt_ok', type: 'internal_attempt_status', value: spec.ok ? 'True' : 'False', ts: now });
    await this.writeText(join(dir, '0.DONE.lock'), '""');
    await this.sysmeta(meta, { flow, run, spec, field: 'attempt-done', type: 'attempt-done', value: '0', ts: now });
  }

  private async sysmeta(meta: string, e: { flow: string; run: string; spec: TaskSpec; field: string; type: string; value: string; ts: number }): Promise<void> {
    await this.write(join(meta, `sysmeta_${e.field}_${e.ts}.json`), {
      flow_id: e.flow,
      run_number: e.run,
      step_name: e.spec.step,
      task_id: e.spec.task,
      field_name: e.field,
      type: e.type,
      value: e.value,
      tags: ['attempt_id:0'],
      user_name: 'alice',
      ts_epoch: e.ts,
    });
  }

  private write(path: string, value: unknown): Promise<void> {
    return this.writeText(path, JSON.stringify(value));
  }

  private async writeText(path: string, text: string): Promise<void> {
    await fs.mkdir(dirname(path), { recursive: true });
    const temp = join(dirname(path), `tmp${randomUUID().slice(0, 8)}`);
    await fs.writeFile(temp, text);
    await fs.rename(temp, path);
  }

  async remove(): Promise<void> {
    await fs.rm(this.home, { recursive: true, force: true });
  }
}
