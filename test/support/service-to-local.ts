/**
 * The runs recorded from a real metadata service (test/fixtures/metaflow-service) rewritten as
 * the `.metaflow` folder local Metaflow would have written for them
 * (shared/docs/metaflow-local-format.md): the metadata from the recorded answers, the
 * datastore from the S3 objects of those runs. Ids stay the service's (run 1, task 27): the
 * same runs, so every backend can be asked the same questions and must give the same answers.
 */
import { access, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RECORDINGS } from './fake-metadata-service';

const SERVICE_DATASTORE = join(RECORDINGS, 'datastore');

type Row = Record<string, unknown>;

interface RecordingIndex {
  recorded_at_epoch_ms: number;
  requests: Record<string, { file: string; status: number }>;
}

interface DatastoreIndex {
  bucket: string;
  prefix: string;
  objects: Record<string, { metadata: Record<string, string> }>;
}

/** Python's `json.dump` with default options, as Metaflow writes every file: `", "`, `": "`, ASCII only. */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value as Row)
      .map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.stringify(value);
}

class Recordings {
  private constructor(private readonly index: RecordingIndex) {}

  static async open(): Promise<Recordings> {
    return new Recordings(JSON.parse(await readFile(join(RECORDINGS, 'index.json'), 'utf8')) as RecordingIndex);
  }

  /** The body of a recorded 200 answer, or null when that call was not recorded. */
  async get<T>(path: string): Promise<T | null> {
    const entry = this.index.requests[path];
    if (!entry || entry.status !== 200) return null;
    return (JSON.parse(await readFile(join(RECORDINGS, entry.file), 'utf8')) as { body: T }).body;
  }

  async need<T>(path: string): Promise<T> {
    const body = await this.get<T>(path);
    if (body === null) throw new Error(`the recordings have no answer to GET ${path}`);
    return body;
  }
}

/**
 * PostgreSQL's text form of the list Metaflow wrote (`{items=b}`, `{"a,b=1",x=2}`) back to the
 * list: the service stores `foreach-stack` in a text column, local Metaflow writes JSON.
 */
function pgTextArray(text: string): string[] {
  const m = /^\{(.*)\}$/s.exec(text);
  if (!m) throw new Error(`not a PostgreSQL array literal: ${text}`);
  const items: string[] = [];
  const inner = m[1];
  let i = 0;
  while (i < inner.length) {
    let item = '';
    if (inner[i] === '"') {
      for (i += 1; inner[i] !== '"'; i += 1) {
        if (i >= inner.length) throw new Error(`unterminated quote in ${text}`);
        if (inner[i] === '\\') i += 1;
        item += inner[i];
      }
      i += 1;
    } else {
      while (i < inner.length && inner[i] !== ',') item += inner[i++];
    }
    items.push(item);
    if (inner[i] === ',') i += 1;
  }
  return items;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function writeMetaflowFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

const selfJson = (dir: string, object: Row) => writeMetaflowFile(join(dir, '_meta', '_self.json'), pythonJson(object));

/** Builds `<targetDir>/.metaflow` and returns its path. */
export async function buildLocalFromService(targetDir: string): Promise<string> {
  const root = join(targetDir, '.metaflow');
  const recordings = await Recordings.open();
  // Copied first: the metadata pass then adds only the attempt files the datastore lacks.
  await copyDatastore(root);

  for (const flow of await recordings.need<Row[]>('/flows')) {
    const flowId = String(flow.flow_id);
    const flowDir = join(root, flowId);
    await selfJson(flowDir, { flow_id: flowId, ts_epoch: flow.ts_epoch });
    const runs = await recordings.need<Row[]>(`/flows/${flowId}/runs`);
    const newest = [...runs].sort((a, b) => Number(b.ts_epoch) - Number(a.ts_epoch))[0];
    if (newest) await writeMetaflowFile(join(flowDir, 'latest_run'), String(newest.run_number));
    for (const run of runs) await convertRun(recordings, root, flowId, run);
  }
  return root;
}

async function convertRun(recordings: Recordings, root: string, flowId: string, run: Row): Promise<void> {
  const runId = String(run.run_number);
  const runDir = join(root, flowId, runId);
  const common = { user_name: run.user_name, tags: run.tags ?? [], system_tags: run.system_tags ?? [] };
  await selfJson(runDir, { run_number: runId, flow_id: flowId, ...common, ts_epoch: run.ts_epoch });
  const base = `/flows/${flowId}/runs/${runId}`;
  for (const step of await recordings.need<Row[]>(`${base}/steps`)) {
    const stepName = String(step.step_name);
    const stepDir = join(runDir, stepName);
    await selfJson(stepDir, { run_number: runId, step_name: stepName, flow_id: flowId, ...common, ts_epoch: step.ts_epoch });
    for (const task of await recordings.need<Row[]>(`${base}/steps/${stepName}/tasks`)) {
      const taskId = String(task.task_id);
      const taskDir = join(stepDir, taskId);
      await selfJson(taskDir, { run_number: runId, step_name: stepName, task_id: taskId, flow_id: flowId, ...common, ts_epoch: task.ts_epoch });
      const taskPath = `${base}/steps/${stepName}/tasks/${taskId}`;
      const ids = { flowId, runId, stepName, taskId, root, taskDir };
      const done = await convertMetadata(ids, await recordings.need<Row[]>(`${taskPath}/metadata`));
      await convertArtifacts(recordings, ids, taskPath, done);
    }
  }
}

interface TaskIds {
  flowId: string;
  runId: string;
  stepName: string;
  taskId: string;
  root: string;
  taskDir: string;
}

/**
 * One `sysmeta_<field>_<ts>.json` per row, in the order the service stored them (its serial
 * id), keeping the first of two rows that would share a file name as the local provider does.
 * The datastore moved to this folder, so `ds-type`/`ds-root` say so. Returns the attempts done.
 */
async function convertMetadata(ids: TaskIds, rows: Row[]): Promise<number[]> {
  const started = new Map<number, number>();
  const done: number[] = [];
  for (const row of [...rows].sort((a, b) => Number(a.id) - Number(b.id))) {
    const field = String(row.field_name);
    let value = row.value;
    if (field === 'foreach-stack') value = pgTextArray(String(value));
    if (field === 'ds-type') value = 'local';
    if (field === 'ds-root') value = ids.root;
    if (field === 'attempt') started.set(Number(value), Math.min(started.get(Number(value)) ?? Infinity, Number(row.ts_epoch)));
    if (field === 'attempt-done') done.push(Number(value));
    const file = join(ids.taskDir, '_meta', `sysmeta_${field}_${String(row.ts_epoch)}.json`);
    if (await exists(file)) continue;
    await writeMetaflowFile(
      file,
      pythonJson({
        flow_id: ids.flowId,
        run_number: ids.runId,
        step_name: ids.stepName,
        task_id: ids.taskId,
        field_name: field,
        type: row.type,
        value,
        tags: row.tags ?? [],
        user_name: row.user_name,
        ts_epoch: row.ts_epoch,
      }),
    );
  }
  await attemptFiles(ids.taskDir, started, done);
  return done;
}

/**
 * `<a>.attempt.json` for every attempt the metadata says started and `<a>.DONE.lock` for every
 * one it says completed. The S3 objects of these runs already hold them; any the datastore
 * lacks are written from the metadata (the `_parameters` task has no `attempt` entry, only
 * `attempt-done`, so its attempt file needs the datastore's copy).
 */
async function attemptFiles(taskDir: string, started: Map<number, number>, done: number[]): Promise<void> {
  for (const [attempt, ts] of started) {
    const file = join(taskDir, `${attempt}.attempt.json`);
    if (!(await exists(file))) await writeMetaflowFile(file, pythonJson({ time: ts / 1000 }));
  }
  for (const attempt of done) {
    const file = join(taskDir, `${attempt}.DONE.lock`);
    if (!(await exists(file))) await writeMetaflowFile(file, '""');
  }
}

/**
 * `_meta/<a>_artifact_<name>.json` per artifact of each completed attempt. The recordings hold
 * `attempt/<a>/artifacts` for most tasks, and the latest attempt's `artifacts` for all.
 */
async function convertArtifacts(recordings: Recordings, ids: TaskIds, taskPath: string, done: number[]): Promise<void> {
  const latest = (await recordings.get<Row[]>(`${taskPath}/artifacts`)) ?? [];
  for (const attempt of done) {
    const rows = (await recordings.get<Row[]>(`${taskPath}/attempt/${attempt}/artifacts`)) ?? latest.filter((a) => a.attempt_id === attempt);
    if (rows.length === 0) throw new Error(`the recordings list no artifacts of ${taskPath} attempt ${attempt}`);
    for (const a of rows) {
      await writeMetaflowFile(
        join(ids.taskDir, '_meta', `${attempt}_artifact_${String(a.name)}.json`),
        pythonJson({
          run_number: ids.runId,
          step_name: ids.stepName,
          task_id: ids.taskId,
          attempt_id: attempt,
          name: a.name,
          content_type: a.content_type,
          type: a.type,
          sha: a.sha,
          ds_type: 'local',
          location: `:root:${ids.root}`,
          flow_id: ids.flowId,
          user_name: a.user_name,
          tags: a.tags ?? [],
          system_tags: a.system_tags ?? [],
          ts_epoch: a.ts_epoch,
        }),
      );
    }
  }
}

/** Every S3 object under the same key; a blob's `cas_raw` user metadata becomes its `<sha>_meta` file. */
async function copyDatastore(root: string): Promise<void> {
  const index = JSON.parse(await readFile(join(SERVICE_DATASTORE, 'index.json'), 'utf8')) as DatastoreIndex;
  const bucket = join(SERVICE_DATASTORE, index.bucket);
  for (const [key, object] of Object.entries(index.objects)) {
    const relative = key.slice(index.prefix.length + 1);
    const target = join(root, relative);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(bucket, key), target);
    const attributes = object.metadata['metaflow-user-attributes'];
    if (attributes !== undefined) await writeFile(`${target}_meta`, attributes);
  }
}
