/**
 * `metaflowbot show`: every flow, run, step and task of the local fixtures answers, in the JSON
 * shape docs/cli.md documents; the service + S3 backends are taken from the environment as
 * Metaflow takes them; the lost cutoff is the bot's; a query that finds nothing says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { runCli } from '../support/cli-process';
import { startFakeMetadataService, type FakeMetadataService } from '../support/fake-metadata-service';
import { FIXTURES, LOCAL_ROOT, PROJECT_ROOT } from '../support/fixtures';
import { FIXTURE_ROOT, S3RVER_CREDENTIALS, startS3Server, type S3TestServer } from '../support/s3-server';

type Json = Record<string, unknown>;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,6}Z$/;
const NO_METAFLOW_HOME = join(tmpdir(), 'metaflowbot-cli-show-no-home');

/** `show` in this process, on the local fixtures unless `env` says otherwise. */
async function show(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const cli = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: { METAFLOW_HOME: NO_METAFLOW_HOME, ...env }, cwd: '/' };
  const code = await main(['node', 'metaflowbot', 'show', ...args, '--root', join(FIXTURES, 'metaflow-local')], cli);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function showJson(query: string, ...flags: string[]): Promise<Json> {
  const { code, out, err } = await show([query, '--json', '--limit', '1000', ...flags]);
  expect({ code, err }).toEqual({ code: 0, err: '' });
  return JSON.parse(out) as Json;
}

/** The fields docs/cli.md gives each object: required ones, and those marked `?`. */
interface Shape {
  required: string[];
  optional: string[];
}

function shape(fields: string[]): Shape {
  return {
    required: fields.filter((f) => !f.endsWith('?')).sort(),
    optional: fields.filter((f) => f.endsWith('?')).map((f) => f.slice(0, -1)).sort(),
  };
}

/** `{a, b: [{…}], c?}` → a, b, c? */
function braceFields(doc: string, heading: string): string[] {
  const m = new RegExp(`\\*\\*${heading}\\*\\*[^\`]*\`\\{([\\s\\S]*?)\\}\``).exec(doc);
  if (!m) throw new Error(`docs/cli.md has no {…} for ${heading}`);
  return m[1]
    .replace(/\[\{[^}]*\}\]/g, '')
    .split(',')
    .map((f) => f.trim().replace(/:.*$/s, '').trim())
    .filter(Boolean);
}

/** The first column of the Run table: `` `flow`, `id` `` rows name two fields. */
function runTableFields(doc: string): string[] {
  const table = doc.slice(doc.indexOf('**Run**')).split('\n\n')[1];
  return table
    .split('\n')
    .slice(2)
    .flatMap((row) => [...row.split('|')[1].matchAll(/`(\w+)`/g)].map((m) => m[1]));
}

const DOC = readFileSync(join(PROJECT_ROOT, 'docs', 'cli.md'), 'utf8');
const RUN = runTableFields(DOC);
/** `steps` and `parameters` are the run query's only ("run query only"). */
const RUN_SHAPE = shape(RUN.map((f) => (f === 'steps' || f === 'parameters' ? `${f}?` : f)));
const RUNS_SHAPE = shape(braceFields(DOC, 'Runs of a flow'));
const STEP_SHAPE = shape(braceFields(DOC, 'Step'));
const TASK_SHAPE = shape(braceFields(DOC, 'Task'));
const ARTIFACT_SHAPE = shape(braceFields(DOC, 'Artifact'));

function keys(o: unknown): string[] {
  return Object.keys(o as Json).sort();
}

function expectTimes(o: Json, fields: string[]): void {
  for (const field of fields) {
    const value = o[field];
    if (value !== null) expect(value).toMatch(ISO);
  }
}

function expectRun(run: Json, detail: boolean): void {
  expect(keys(run)).toEqual((detail ? [...RUN_SHAPE.required, ...RUN_SHAPE.optional] : RUN_SHAPE.required).sort());
  expect(['running', 'successful', 'failed', 'lost']).toContain(run.status);
  expectTimes(run, ['createdAt', 'finishedAt']);
  expect(run.createdAt).not.toBeNull();
}

function expectTask(task: Json, extras: string[]): void {
  expect(keys(task)).toEqual([...TASK_SHAPE.required, ...extras].sort());
  expectTimes(task, ['startedAt', 'finishedAt']);
  for (const attempt of task.attempts as Json[]) {
    expect(keys(attempt)).toEqual(['attempt', 'finishedAt', 'startedAt', 'status']);
    expectTimes(attempt, ['startedAt', 'finishedAt']);
  }
}

const dirs = (path: string): string[] => readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
const FLOWS = dirs(LOCAL_ROOT);
const RUNS = FLOWS.flatMap((flow) => dirs(join(LOCAL_ROOT, flow)).filter((d) => d !== 'data' && !d.startsWith('_')).map((run) => `${flow}/${run}`));

describe('the shapes docs/cli.md documents', () => {
  it('are read from the document, and hold at least the fields the foundation issue asks for', () => {
    expect(RUN_SHAPE.required).toEqual(expect.arrayContaining(['pathspec', 'flow', 'id', 'user', 'status', 'tags', 'systemTags', 'createdAt', 'finishedAt', 'durationMs']));
    expect(RUN_SHAPE.optional).toEqual(['parameters', 'steps']);
    expect(RUNS_SHAPE.required).toEqual(['flow', 'next', 'runs', 'total']);
    expect(STEP_SHAPE.required).toEqual(expect.arrayContaining(['name', 'status', 'tasks']));
    expect(TASK_SHAPE.required).toEqual(expect.arrayContaining(['pathspec', 'id', 'status', 'attempts']));
    expect(TASK_SHAPE.optional).toEqual(['artifacts', 'exception', 'logs']);
    expect(ARTIFACT_SHAPE.required).toEqual(expect.arrayContaining(['name', 'type', 'size', 'preview']));
  });
});

describe('show --json on every local fixture', () => {
  it('finds the ten fixture flows and their runs on disk', () => {
    expect(FLOWS).toHaveLength(10);
    expect(RUNS.length).toBeGreaterThan(FLOWS.length);
  });

  it.each(FLOWS)('%s: its runs, each one on disk', async (flow) => {
    const answer = await showJson(flow);
    expect(keys(answer)).toEqual(RUNS_SHAPE.required);
    const runs = answer.runs as Json[];
    expect(runs.map((r) => r.pathspec).sort()).toEqual(RUNS.filter((r) => r.startsWith(`${flow}/`)).sort());
    for (const run of runs) expectRun(run, false);
  });

  it.each(RUNS)('%s: the run, each step, each task with its artifacts and logs', async (pathspec) => {
    const run = await showJson(pathspec);
    expectRun(run, true);
    expect(Object.values(run.parameters as Json).every((preview) => typeof preview === 'string')).toBe(true);
    const steps = run.steps as Json[];
    expect(steps.length).toBeGreaterThan(0);
    for (const summary of steps) {
      expect(keys(summary)).toEqual(STEP_SHAPE.required);
      expectTimes(summary, ['startedAt', 'finishedAt']);
      const step = await showJson(`${pathspec}/${summary.name as string}`);
      expect(keys(step)).toEqual([...STEP_SHAPE.required, 'next', 'pathspec'].sort());
      const tasks = step.tasks as Json[];
      expect(tasks).toHaveLength(summary.tasks as number);
      for (const listed of tasks) {
        expectTask(listed, []);
        const task = await showJson(listed.pathspec as string, '--logs');
        expectTask(task, ['artifacts', 'exception', 'logs']);
        for (const artifact of task.artifacts as Json[]) {
          expect(keys(artifact)).toEqual(ARTIFACT_SHAPE.required);
          expect(typeof artifact.preview).toBe('string');
        }
        for (const lines of Object.values(task.logs as Record<string, Json[]>)) {
          for (const line of lines) {
            expect(keys(line)).toEqual(['message', 'timestamp']);
            expectTimes(line, ['timestamp']);
          }
        }
      }
    }
  });
});

describe('show, in a terminal', () => {
  it('answers an unknown flow with one sentence and exit code 1', async () => {
    const { code, out, err } = await show(['NoSuchFlow']);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe('metaflowbot: Flow NoSuchFlow was not found.');
  });

  it('counts an unfinished run as lost after METAFLOWBOT_LOST_AFTER_SECONDS, as the bot does', async () => {
    const status = async (env: NodeJS.ProcessEnv): Promise<unknown> => {
      const { code, out } = await show(['latest run of SleepyFlow', '--json'], env);
      expect(code).toBe(0);
      return (JSON.parse(out) as Json).status;
    };
    expect(await status({})).toBe('lost');
    // Longer than the fixture has existed: the killed run may still be alive.
    expect(await status({ METAFLOWBOT_LOST_AFTER_SECONDS: String(100 * 365 * 24 * 3600) })).toBe('running');
    const bad = await show(['SleepyFlow'], { METAFLOWBOT_LOST_AFTER_SECONDS: '5' });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('METAFLOWBOT_LOST_AFTER_SECONDS ("5"): must be at least 30 seconds');
  });
});

describe('show on the metadata service and S3, configured by the environment', () => {
  let service: FakeMetadataService;
  let s3: S3TestServer;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [service, s3] = await Promise.all([startFakeMetadataService(), startS3Server()]);
    await s3.putFixtureDatastore();
    const nowhere = join(tmpdir(), 'metaflowbot-cli-show-nowhere');
    env = {
      HOME: nowhere,
      METAFLOW_HOME: NO_METAFLOW_HOME,
      METAFLOW_DEFAULT_METADATA: 'service',
      METAFLOW_SERVICE_URL: service.url,
      METAFLOW_DEFAULT_DATASTORE: 's3',
      METAFLOW_DATASTORE_SYSROOT_S3: FIXTURE_ROOT,
      METAFLOW_S3_ENDPOINT_URL: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_CONFIG_FILE: join(nowhere, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(nowhere, 'aws-credentials'),
    };
  });

  afterAll(async () => {
    await Promise.all([service?.close(), s3?.close()]);
  });

  it('shows a run, and a task with artifacts and logs read from S3, with nothing on stderr', async () => {
    const runAnswer = await runCli(['show', 'latest run of ParamFlow', '--json'], { env, cwd: tmpdir() });
    expect({ code: runAnswer.code, stderr: runAnswer.stderr }).toEqual({ code: 0, stderr: '' });
    const run = JSON.parse(runAnswer.stdout) as Json;
    expectRun(run, true);
    expect(run).toMatchObject({ pathspec: 'ParamFlow/3', status: 'successful', tags: ['experiment'], parameters: { who: "'alice'", alpha: '2.5' } });

    const taskAnswer = await runCli(['show', 'ParamFlow/3/end/11', '--json', '--logs'], { env, cwd: tmpdir() });
    expect({ code: taskAnswer.code, stderr: taskAnswer.stderr }).toEqual({ code: 0, stderr: '' });
    const task = JSON.parse(taskAnswer.stdout) as Json;
    expectTask(task, ['artifacts', 'exception', 'logs']);
    const artifacts = task.artifacts as Json[];
    expect(artifacts.find((a) => a.name === 'who')).toMatchObject({ type: 'str', preview: "'alice'" });
    for (const artifact of artifacts) expect(keys(artifact)).toEqual(ARTIFACT_SHAPE.required);
    expect((task.logs as Record<string, Json[]>).stdout.length).toBeGreaterThan(0);
  });
});
