/**
 * The watcher against a real local `.metaflow` that the test changes, with the in-memory store:
 * one `poll()` at a time, so every outcome is checked in the outbox without timing.
 */
import { MetaflowClient } from '../../src/metaflow/client';
import { LocalDatastore } from '../../src/metaflow/datastore/local';
import { LocalMetadataSource } from '../../src/metaflow/local/metadata';
import type { Run } from '../../src/metaflow/model';
import type { MetadataSource } from '../../src/metaflow/sources';
import { readPayload } from '../../src/notify/payload';
import { Watcher } from '../../src/notify/watcher';
import { createLogger } from '../../src/observability/logger';
import { MemoryStateStore } from '../../src/state/memory';
import type { Notification, StateStore, Subscription, Transition } from '../../src/state/store';
import { ChangingMetaflow, FIXTURE_EXCEPTION } from '../support/changing-metaflow';

const ALL: Transition[] = ['started', 'failed', 'successful', 'lost'];

let mf: ChangingMetaflow;
let state: StateStore;
let n = 0;
/** Each test watches a flow of its own, so runs left by one are not news to the next. */
let FLOW = '';

beforeAll(async () => {
  mf = await ChangingMetaflow.create([]);
});

afterAll(async () => {
  await mf.remove();
});

beforeEach(async () => {
  state = new MemoryStateStore();
  FLOW = `WatchFlow${++n}`;
  await mf.addFlow(FLOW);
});

afterEach(async () => {
  await state.close();
});

function client(lostAfterMs: number, wrap: (c: MetaflowClient) => MetaflowClient = (c) => c, metadata: MetadataSource = new LocalMetadataSource(mf.root)): MetaflowClient {
  return wrap(new MetaflowClient({ metadata, datastore: new LocalDatastore(mf.root), lostAfterMs, shortTtlMs: 1 }));
}

interface Options {
  lostAfterMs?: number;
  canSee?: (channel: string, run: Run) => boolean;
  now?: () => number;
  wrap?: (c: MetaflowClient) => MetaflowClient;
  metadata?: MetadataSource;
  store?: StateStore;
}

/** The local metadata source, telling of each call it gets: what the backend is asked. */
function countingSource(calls: { method: string; run: string | null }[]): MetadataSource {
  const perRun = new Set(['getRun', 'listSteps', 'listTasks', 'getTask', 'taskMetadata', 'endStep', 'stepAttempts', 'taskAttempts', 'listArtifacts']);
  return new Proxy(new LocalMetadataSource(mf.root), {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(prop), run: perRun.has(String(prop)) ? String(args[1]) : null });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function watcher(opts: Options = {}): Watcher {
  const lostAfterMs = opts.lostAfterMs ?? 60_000;
  return new Watcher({
    state: opts.store ?? state,
    client: client(lostAfterMs, opts.wrap, opts.metadata),
    lostAfterMs,
    pollIntervalMs: 100,
    canSee: opts.canSee ?? (() => true),
    logger: createLogger('silent'),
    onEnqueued: () => undefined,
    now: opts.now,
  });
}

async function subscribe(channel: string, over: Partial<Subscription> = {}): Promise<void> {
  await state.subscribe({ id: `s${++n}`, channel, flow: FLOW, events: ALL, createdBy: 'U0ALICE001', createdAt: Date.now(), ...over });
}

/** Everything enqueued so far, as `channel run transition`, oldest first. */
async function outbox(): Promise<string[]> {
  return (await state.pending()).map((i) => `${i.channel} ${i.run.split('/')[1]} ${i.transition}`);
}

async function item(channel: string, run: string, transition: Transition): Promise<Notification> {
  const found = (await state.pending()).find((i) => i.channel === channel && i.run === `${FLOW}/${run}` && i.transition === transition);
  if (!found) throw new Error(`no ${transition} of ${run} for ${channel}; outbox: ${(await outbox()).join('; ')}`);
  return found;
}

describe('Watcher', () => {
  it('announces new runs and their endings to the channels whose subscriptions match', async () => {
    await subscribe('C-all');
    await subscribe('C-default', { events: ['failed', 'lost'] });
    await subscribe('C-bob', { events: ['started'], user: 'bob' });
    await subscribe('C-nightly', { events: ['started'], tag: 'nightly' });
    await subscribe('C-fraud', { events: ['started'], project: 'fraud' });
    const w = watcher();
    await w.poll();
    expect(await outbox()).toEqual([]);

    const alice = await mf.appear(FLOW);
    const bob = await mf.appear(FLOW, { user: 'bob', tags: ['nightly'], systemTags: ['project:fraud'] });
    await w.poll();
    // Runs oldest first; for each, the channels in the order the store lists them.
    expect(await outbox()).toEqual([`C-all ${alice} started`, `C-all ${bob} started`, `C-bob ${bob} started`, `C-fraud ${bob} started`, `C-nightly ${bob} started`]);

    await mf.fail(FLOW, alice);
    await mf.finish(FLOW, bob);
    await w.poll();
    expect((await outbox()).slice(5)).toEqual([`C-all ${alice} failed`, `C-default ${alice} failed`, `C-all ${bob} successful`]);
    // Nothing changed: nothing new, and no failure read again.
    await w.poll();
    expect(await outbox()).toHaveLength(8);
  });

  it('puts where and why a run failed in the payload: step, task, attempt, exception, stderr tail', async () => {
    await subscribe('C1', { events: ['failed'] });
    const w = watcher();
    await w.poll();
    const run = await mf.appear(FLOW);
    await w.poll();
    await mf.fail(FLOW, run);
    await w.poll();
    const payload = readPayload((await item('C1', run, 'failed')).payload);
    expect(payload?.run).toMatchObject({ flow: FLOW, id: run, status: 'failed', user: 'alice' });
    expect(payload?.failure).toEqual({
      step: 'a',
      task: '2',
      attempt: 0,
      exception: { type: `builtins.${FIXTURE_EXCEPTION.type}`, message: FIXTURE_EXCEPTION.message },
      stderr: expect.arrayContaining([`ValueError: ${FIXTURE_EXCEPTION.message}`, `stderr of ${FLOW}/${run}`, 'Task failed.']),
    });
  });

  it('on a flow it never watched, treats what is older than the subscriptions as history', async () => {
    const minutesAgo = (m: number): number => Date.now() - m * 60 * 1000;
    const old = await mf.appear(FLOW, { at: minutesAgo(5) });
    const oldFailed = await mf.appear(FLOW, { at: minutesAgo(5) });
    await mf.fail(FLOW, oldFailed, minutesAgo(4));
    await subscribe('C1');
    const w = watcher({ lostAfterMs: 10 * 60 * 1000 });
    await w.poll();
    expect(await outbox()).toEqual([]);
    // The running one is followed: its ending is news.
    await mf.finish(FLOW, old);
    await w.poll();
    expect(await outbox()).toEqual([`C1 ${old} successful`]);
  });

  it('pages through many new runs down to the newest it saw', async () => {
    await subscribe('C1', { events: ['started'] });
    const w = watcher();
    await w.poll();
    const runs: string[] = [];
    for (let i = 0; i < 23; i++) runs.push(await mf.appear(FLOW));
    await w.poll();
    expect(await outbox()).toEqual(runs.map((r) => `C1 ${r} started`));
    await w.poll();
    expect(await outbox()).toHaveLength(23);
  });

  it('reports a run that went silent as lost', async () => {
    await subscribe('C1', { events: ['lost'] });
    const w = watcher({ lostAfterMs: 300 });
    await w.poll();
    const run = await mf.appear(FLOW);
    await w.poll();
    expect(await outbox()).toEqual([]);
    await new Promise((r) => setTimeout(r, 450));
    await w.poll();
    expect(await outbox()).toEqual([`C1 ${run} lost`]);
  });

  it('enqueues before it saves its progress: a crash in between loses nothing and doubles nothing', async () => {
    await subscribe('C1');
    let failSaves = 0;
    // The store as a crash sees it: the save after the enqueues never happens.
    const crashing = new Proxy(state, {
      get(target, prop, receiver) {
        if (prop === 'saveWatchState' && failSaves > 0) {
          return async () => {
            failSaves -= 1;
            throw new Error('killed before saving');
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await watcher({ store: crashing }).poll();
    const run = await mf.appear(FLOW);
    failSaves = 1;
    await watcher({ store: crashing }).poll();
    expect(await outbox()).toEqual([`C1 ${run} started`]);
    await mf.fail(FLOW, run);
    failSaves = 1;
    await watcher({ store: crashing }).poll();
    // A fresh watcher (a restarted process) finds both transitions again; the outbox keeps one each.
    await watcher({ store: crashing }).poll();
    await watcher({ store: crashing }).poll();
    expect(await outbox()).toEqual([`C1 ${run} started`, `C1 ${run} failed`]);
    expect(await state.watchState(FLOW)).toEqual({ newestRunId: run, following: [run] });
  });

  it('waits a poll for a failure whose details are not written yet, then tells it with them', async () => {
    await subscribe('C1', { events: ['failed'] });
    let exceptionReadable = false;
    const wrap = (c: MetaflowClient): MetaflowClient =>
      new Proxy(c, {
        get(target, prop, receiver) {
          if (prop === 'taskException' && !exceptionReadable) return async () => null;
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    const w = watcher({ wrap });
    await w.poll();
    const run = await mf.appear(FLOW);
    await w.poll();
    await mf.fail(FLOW, run);
    await w.poll();
    expect(await outbox()).toEqual([]);
    exceptionReadable = true;
    await w.poll();
    expect(readPayload((await item('C1', run, 'failed')).payload)?.failure?.exception?.message).toBe(FIXTURE_EXCEPTION.message);
  });

  it('tells a failure without its details once they are overdue', async () => {
    await subscribe('C1', { events: ['failed'] });
    let clock = Date.now();
    const wrap = (c: MetaflowClient): MetaflowClient =>
      new Proxy(c, {
        get(target, prop, receiver) {
          if (prop === 'taskException') return async () => null;
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    const w = watcher({ wrap, now: () => clock });
    await w.poll();
    const run = await mf.appear(FLOW);
    await mf.fail(FLOW, run);
    await w.poll();
    expect(await outbox()).toEqual([]);
    clock += 60_000;
    await w.poll();
    const payload = readPayload((await item('C1', run, 'failed')).payload);
    expect(payload?.failure).toMatchObject({ step: 'a', task: '2', exception: null });
  });

  it('tells a channel only about runs the access policy lets it see', async () => {
    await subscribe('C-open', { events: ['started'] });
    await subscribe('C-closed', { events: ['started'] });
    const w = watcher({ canSee: (channel, run) => channel !== 'C-closed' || run.user === 'bob' });
    await w.poll();
    const alice = await mf.appear(FLOW);
    const bob = await mf.appear(FLOW, { user: 'bob' });
    await w.poll();
    expect(await outbox()).toEqual([`C-open ${alice} started`, `C-closed ${bob} started`, `C-open ${bob} started`]);
  });

  it('keeps polling the other flows when one is gone', async () => {
    await subscribe('C1', { events: ['started'] });
    await state.subscribe({ id: 'gone', channel: 'C1', flow: 'DeletedFlow', events: ALL, createdBy: 'U1', createdAt: Date.now() });
    const w = watcher();
    await w.poll();
    const run = await mf.appear(FLOW);
    await w.poll();
    expect(await outbox()).toEqual([`C1 ${run} started`]);
  });

  it('polls cheaply: lists down to the newest run it saw, and reads again only the unfinished ones', async () => {
    const settled = async (count: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const id = await mf.appear(FLOW);
        await mf.finish(FLOW, id);
        ids.push(id);
      }
      return ids;
    };
    await settled(12);
    await subscribe('C1');
    const calls: { method: string; run: string | null }[] = [];
    const w = watcher({ metadata: countingSource(calls) });
    await w.poll();
    const running = await mf.appear(FLOW);
    await settled(1);
    await w.poll();

    // Nothing changed: one listing, and of the runs only the unfinished one is read.
    calls.splice(0);
    await w.poll();
    expect(calls.filter((c) => c.method === 'listRuns')).toHaveLength(1);
    expect([...new Set(calls.flatMap((c) => c.run ?? []))]).toEqual([running]);

    // More new runs than a page: the listing goes on to the newest seen, no further; the runs
    // read are the new ones and the unfinished one, none of those settled before.
    const fresh = await settled(12);
    calls.splice(0);
    await w.poll();
    expect(calls.filter((c) => c.method === 'listRuns')).toHaveLength(2);
    expect([...new Set(calls.flatMap((c) => c.run ?? []))].sort()).toEqual([...fresh, running].sort());

    // Once it has finished, it is read one last time, then no run at all.
    await mf.finish(FLOW, running);
    await w.poll();
    calls.splice(0);
    await w.poll();
    expect(calls.filter((c) => c.run !== null)).toEqual([]);
    expect(calls.filter((c) => c.method === 'listRuns')).toHaveLength(1);
  });
});
