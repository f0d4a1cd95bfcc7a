/**
 * The `.metaflow` folder built from the service recordings is what local Metaflow writes
 * (shared/docs/metaflow-local-format.md), so the contract suite compares like with like.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { SERVICE_DATASTORE_FILES } from '../support/backends';
import { LOCAL_ROOT } from '../support/fixtures';
import { buildLocalFromService } from '../support/service-to-local';

let folder: string;
let root: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'metaflowbot-converted-'));
  root = await buildLocalFromService(folder);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

const read = (path: string) => readFileSync(join(root, path), 'utf8');
const json = <T>(path: string) => JSON.parse(read(path)) as T;

interface Sysmeta {
  field_name: string;
  value: unknown;
  tags: string[];
}

function sysmeta(task: string): Sysmeta[] {
  return readdirSync(join(root, task, '_meta'))
    .filter((f) => f.startsWith('sysmeta_'))
    .map((f) => json<Sysmeta>(join(task, '_meta', f)));
}

/** `<Flow>/<run>/<step>/<task>` of every task folder. */
function taskFolders(): string[] {
  return filesUnder(root)
    .map((f) => relative(root, f).split(sep))
    .filter((parts) => parts.length === 6 && parts[4] === '_meta' && parts[5] === '_self.json')
    .map((parts) => parts.slice(0, 4).join('/'));
}

describe('the .metaflow folder built from the service recordings', () => {
  it('writes object files as Python json.dump does, ids as strings', () => {
    expect(read('HelloFlow/_meta/_self.json')).toBe('{"flow_id": "HelloFlow", "ts_epoch": 1795839377479}');
    expect(read('HelloFlow/1/_meta/_self.json')).toBe(
      '{"run_number": "1", "flow_id": "HelloFlow", "user_name": "botlab", "tags": ["team:bots"], ' +
        '"system_tags": ["user:botlab", "metaflow_version:2.19.38", "runtime:dev", "python_version:3.11.2"], "ts_epoch": 1795839377489}',
    );
    expect(json('FailFlow/7/boom/27/_meta/_self.json')).toMatchObject({ run_number: '7', step_name: 'boom', task_id: '27', ts_epoch: 1795839430521 });
    expect(read('HelloFlow/latest_run')).toBe('9');
  });

  it('has the same kinds of files per task as a folder local Metaflow wrote', () => {
    const kinds = (task: string) =>
      readdirSync(task)
        .filter((f) => f !== '_meta')
        .sort();
    const devTask = join(LOCAL_ROOT, 'HelloFlow', '1795835872379314', 'start', '1');
    expect(kinds(join(root, 'HelloFlow/1/start/2'))).toEqual(kinds(devTask));
  });

  it('writes foreach-stack as the JSON list local Metaflow writes, not the service\'s text', () => {
    const entries = sysmeta('ForeachFlow/4/train/15');
    expect(entries.find((e) => e.field_name === 'foreach-stack')?.value).toEqual(['items=b']);
    expect(entries.find((e) => e.field_name === 'foreach-execution-path')?.value).toBe('train:1');
  });

  it('points ds-type and ds-root at the folder the datastore now lives in', () => {
    const entries = sysmeta('HelloFlow/1/start/2');
    expect(entries.filter((e) => e.field_name === 'ds-type').map((e) => e.value)).toEqual(['local']);
    expect(entries.filter((e) => e.field_name === 'ds-root').map((e) => e.value)).toEqual([root]);
    expect(json('HelloFlow/1/start/2/_meta/0_artifact_name.json')).toMatchObject({ ds_type: 'local', location: `:root:${root}`, attempt_id: 0 });
  });

  it('gives every task the attempt files and artifact index its attempt metadata implies', () => {
    const tasks = taskFolders();
    expect(tasks).toHaveLength(43);
    for (const task of tasks) {
      const entries = sysmeta(task);
      const done = entries.filter((e) => e.field_name === 'attempt-done').map((e) => Number(e.value));
      const files = readdirSync(join(root, task));
      const metaFiles = readdirSync(join(root, task, '_meta'));
      for (const attempt of done) {
        expect(files).toEqual(expect.arrayContaining([`${attempt}.attempt.json`, `${attempt}.DONE.lock`]));
        const table = json<{ objects: Record<string, string> }>(join(task, `${attempt}.data.json`));
        const prefix = `${attempt}_artifact_`;
        const indexed = metaFiles.filter((f) => f.startsWith(prefix)).map((f) => json<{ name: string; sha: string }>(join(task, '_meta', f)));
        expect(Object.fromEntries(indexed.map((a) => [a.name, a.sha]))).toEqual(table.objects);
      }
    }
    const boom = sysmeta('FailFlow/7/boom/27');
    expect(boom.filter((e) => e.field_name === 'attempt_ok').map((e) => [e.value, e.tags])).toEqual(
      expect.arrayContaining([
        ['False', ['attempt_id:0']],
        ['False', ['attempt_id:1']],
      ]),
    );
  });

  it('copies every datastore object byte for byte, and gives each blob its cas sidecar', () => {
    const objects = filesUnder(SERVICE_DATASTORE_FILES);
    expect(objects).toHaveLength(380);
    for (const object of objects) {
      const key = relative(SERVICE_DATASTORE_FILES, object);
      expect(readFileSync(join(root, key)).equals(readFileSync(object))).toBe(true);
      if (key.split(sep)[1] === 'data') expect(read(`${key}_meta`)).toBe('{"cas_raw": false, "cas_version": 1}');
    }
  });
});
