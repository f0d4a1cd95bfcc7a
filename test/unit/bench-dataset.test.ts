import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generateDataset, type DatasetInfo } from '../../bench/generate-local';
import type { MetaflowClient } from '../../src/metaflow/client';
import { localClient } from '../support/local-client';

const SMALL = { flows: 3, runsPerFlow: 2, bigRuns: 30, foreachTasks: 20, logLines: 500, detailedRuns: 10 };
const NOW = Date.parse('2026-12-01T12:00:00Z');

let dir: string;
let info: DatasetInfo;
let client: MetaflowClient;

beforeAll(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'bench-dataset-'));
  info = await generateDataset(join(dir, 'one'), SMALL, { now: NOW });
  client = localClient(NOW + 30_000, info.root);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function allFiles(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const entry of await fs.readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.set(relative(root, path), (await fs.readFile(path, 'utf8')).split(root).join('<root>'));
    }
  };
  await walk(root);
  return out;
}

describe('the synthetic .metaflow folder reads through the real client', () => {
  it('has every flow', async () => {
    expect((await client.listFlows()).map((f) => f.name)).toEqual(['BigFlow', 'Flow00', 'Flow01', 'Flow02']);
  });

  it('lists BigFlow’s runs newest first, with the running, failed, foreach and old runs as intended', async () => {
    const page = await client.listRuns('BigFlow', { limit: 100 });
    expect(page.total).toBe(30);
    expect(page.items.map((r) => r.id)).toEqual(info.big.runIds);
    expect(info.big.runIds.every((id) => /^\d{16}$/.test(id))).toBe(true);
    expect([...info.big.runIds].sort().reverse()).toEqual(info.big.runIds);
    const status = new Map(page.items.map((r) => [r.id, r.status]));
    expect(status.get(info.big.running)).toBe('running');
    expect(status.get(info.big.foreachRun)).toBe('successful');
    expect(info.big.failed.length).toBe(4);
    for (const id of info.big.failed) expect(status.get(id)).toBe('failed');
    expect([...status.values()].filter((s) => s === 'successful').length).toBe(30 - 1 - 4);
  });

  it('filters failed runs, and knows the other user and the tags', async () => {
    const failed = await client.listRuns('BigFlow', { status: ['failed'], limit: 20 });
    expect(failed.items.map((r) => r.id)).toEqual(info.big.failed);
    const other = await client.getRun('BigFlow', info.big.otherUser.run);
    expect(other.user).toBe('bob');
    expect(other.tags).toContain('from-bob');
    const nightly = await client.listRuns('BigFlow', { tags: ['nightly'], limit: 100 });
    expect(nightly.items.map((r) => r.id)).toEqual(info.big.tagged.filter((t) => t.tags.includes('nightly')).map((t) => t.run));
  });

  it('fails the failed runs in step a with the fixture’s exception', async () => {
    const run = info.big.failed[0];
    const steps = await client.listSteps('BigFlow', run);
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ['start', 'successful'],
      ['a', 'failed'],
    ]);
    const exception = await client.taskException({ flow: 'BigFlow', run, step: 'a', task: '2' });
    expect(exception?.type).toMatch(/ValueError$/);
    expect(exception?.message).toContain('boom');
  });

  it('has the foreach run’s DAG and a process step of 20 tasks with indices 0..19', async () => {
    const detail = await client.getRunDetail('BigFlow', info.big.foreachRun);
    expect(detail.graph?.order).toEqual(['start', 'process', 'join', 'end']);
    expect(detail.steps.map((s) => [s.name, s.taskCount])).toEqual([
      ['start', 1],
      ['process', 20],
      ['join', 1],
      ['end', 1],
    ]);
    const tasks = await client.listTasks('BigFlow', info.big.foreachRun, 'process', { limit: 100 });
    expect(tasks.total).toBe(20);
    expect(tasks.items.map((t) => t.id)).toEqual(info.big.foreachTaskIds);
    expect(tasks.items.map((t) => t.foreachIndex)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(tasks.items[3].foreachStack).toEqual(['items=item3']);
    expect(tasks.items.every((t) => t.status === 'successful')).toBe(true);
    const artifacts = await client.listArtifacts({ flow: 'BigFlow', run: info.big.foreachRun, step: 'process', task: info.big.foreachTaskIds[0] });
    expect(artifacts.map((a) => a.name)).toEqual(expect.arrayContaining(['item', 'items', 'result']));
  });

  it('tails the long log to its last line and pages back through all of it', async () => {
    const ref = { flow: 'BigFlow', run: info.big.foreachRun, step: info.big.logTask.step, task: info.big.logTask.task };
    const tail = await client.readLog(ref, { stream: 'stdout', limit: 50 });
    expect(tail.lines).toHaveLength(50);
    expect(tail.lines[49].message).toBe(info.big.logTask.lastLine);
    let lines = tail.lines.length;
    for (let before = tail.older; before; ) {
      const page = await client.readLog(ref, { stream: 'stdout', limit: 200, before });
      lines += page.lines.length;
      before = page.older;
    }
    expect(lines).toBe(500);
  });

  it('writes the same folder again from the same clock and seed', async () => {
    const again = await generateDataset(join(dir, 'two'), SMALL, { now: NOW });
    expect(again.files).toBe(info.files);
    expect(await allFiles(again.root)).toEqual(await allFiles(info.root));
  });
});
