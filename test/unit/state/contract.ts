/**
 * What every durable StateStore must do, run against each backend by its own test file. The
 * backend hands out stores on shared storage, so "another replica" is just a second `open()`.
 */
import { STATE_SCHEMA_VERSION } from '../../../src/state/schema';
import type { NewNotification, NotificationKey, PendingAnswer, StateStore, Subscription, Transition } from '../../../src/state/store';

export interface StoreBackend {
  /** A store on the current storage (same file, same prefix): each call is another replica. */
  open(): Promise<StateStore>;
  /** Moves on to new, empty storage. */
  fresh(): Promise<void>;
  /** Writes a schema v1 store by hand (before `open`), holding these conversations' runs. */
  writeV1(conversations: Record<string, string>): Promise<void>;
  /** Stamps the storage with a schema version, as another metaflowbot would have. */
  setSchemaVersion(version: number): Promise<void>;
  schemaVersion(): Promise<number>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function note(run: string, transition: Transition = 'started', channel = 'C1'): NewNotification {
  return { channel, run, transition, payload: { run, transition, blocks: [], meta: {}, text: 'ünïcødé ✓', n: 1.5, ok: true, none: null } };
}

function keyOf(n: NotificationKey): NotificationKey {
  return { channel: n.channel, run: n.run, transition: n.transition };
}

function sub(fields: Partial<Subscription> = {}): Subscription {
  return { id: 'S1', channel: 'C1', flow: 'HelloFlow', events: ['failed'], createdBy: 'U1', createdAt: 1000, ...fields };
}

/** Answers' times are given rather than read from the clock: any fixed instant will do. */
const T = 1_700_000_000_000;

function answer(viewId: string, fields: Partial<PendingAnswer> = {}): PendingAnswer {
  return { viewId, hash: `hash-${viewId}`, user: 'U1', nav: JSON.stringify({ run: 'F/1', step: 'ünïcødé ✓' }), createdAt: T, ...fields };
}

export function stateStoreContract(backend: StoreBackend): void {
  const opened: StateStore[] = [];
  const open = async (): Promise<StateStore> => {
    const store = await backend.open();
    opened.push(store);
    return store;
  };
  let store: StateStore;

  beforeEach(async () => {
    await backend.fresh();
    store = await open();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  describe('current runs', () => {
    it('keeps a channel, each of its threads and each user apart', async () => {
      expect(await store.currentRun({ channel: 'C1' })).toBeNull();
      await store.setCurrentRun({ channel: 'C1' }, 'F/1');
      await store.setCurrentRun({ channel: 'C1', thread: '111.222' }, 'F/2');
      await store.setUserCurrentRun('U1', 'F/3');
      expect(await store.currentRun({ channel: 'C1' })).toBe('F/1');
      expect(await store.currentRun({ channel: 'C1', thread: null })).toBe('F/1');
      expect(await store.currentRun({ channel: 'C1', thread: '111.222' })).toBe('F/2');
      expect(await store.currentRun({ channel: 'C1', thread: '333.444' })).toBeNull();
      expect(await store.userCurrentRun('U1')).toBe('F/3');
      expect(await store.userCurrentRun('C1')).toBeNull();
      expect(await store.currentRun({ channel: 'U1' })).toBeNull();
    });

    it('replaces a run with the newer one', async () => {
      await store.setCurrentRun({ channel: 'C1' }, 'F/1');
      await store.setCurrentRun({ channel: 'C1' }, 'F/2');
      await store.setUserCurrentRun('U1', 'F/1');
      await store.setUserCurrentRun('U1', 'F/9');
      expect(await store.currentRun({ channel: 'C1' })).toBe('F/2');
      expect(await store.userCurrentRun('U1')).toBe('F/9');
    });
  });

  describe('subscriptions', () => {
    it('stores a subscription as given, without empty filters', async () => {
      const full = sub({ events: ['started', 'failed', 'successful', 'lost'], user: 'alice', tag: 'prod', project: 'p1' });
      expect(await store.subscribe(full)).toBeNull();
      expect(await store.subscribe(sub({ id: 'S2', channel: 'C2', user: '', tag: '' }))).toBeNull();
      expect(await store.subscriptions('C1')).toStrictEqual([full]);
      expect(await store.subscriptions('C2')).toStrictEqual([sub({ id: 'S2', channel: 'C2' })]);
      expect(await store.subscriptions('C3')).toStrictEqual([]);
    });

    it('replaces the subscription with the same channel, flow and filters, and returns it', async () => {
      const first = sub({ tag: 'prod' });
      await store.subscribe(first);
      const second = sub({ id: 'S2', tag: 'prod', events: ['failed', 'lost'], createdBy: 'U2', createdAt: 2000 });
      expect(await store.subscribe(second)).toStrictEqual(first);
      expect(await store.subscriptions('C1')).toStrictEqual([second]);
    });

    it('keeps subscriptions that differ in any filter', async () => {
      const subs = [sub({ id: 'a' }), sub({ id: 'b', user: 'alice' }), sub({ id: 'c', tag: 'alice' }), sub({ id: 'd', project: 'alice' })];
      for (const s of subs) expect(await store.subscribe(s)).toBeNull();
      expect((await store.subscriptions('C1')).map((s) => s.id).sort()).toEqual(['a', 'b', 'c', 'd']);
    });

    it('lists by channel, flow, then creation, and names each subscribed flow once', async () => {
      await store.subscribe(sub({ id: '1', channel: 'C2', flow: 'B', createdAt: 5 }));
      await store.subscribe(sub({ id: '2', channel: 'C1', flow: 'B', createdAt: 9, tag: 't' }));
      await store.subscribe(sub({ id: '3', channel: 'C1', flow: 'B', createdAt: 3 }));
      await store.subscribe(sub({ id: '4', channel: 'C1', flow: 'A', createdAt: 7 }));
      expect((await store.subscriptions('C1')).map((s) => s.id)).toEqual(['4', '3', '2']);
      expect((await store.allSubscriptions()).map((s) => s.id)).toEqual(['4', '3', '2', '1']);
      expect(await store.subscribedFlows()).toEqual(['A', 'B']);
    });

    it('unsubscribes a channel from a flow whatever the filters, and says how many went', async () => {
      await store.subscribe(sub({ id: '1' }));
      await store.subscribe(sub({ id: '2', user: 'alice' }));
      await store.subscribe(sub({ id: '3', flow: 'Other' }));
      await store.subscribe(sub({ id: '4', channel: 'C2' }));
      expect(await store.unsubscribe('C1', 'HelloFlow')).toBe(2);
      expect(await store.unsubscribe('C1', 'HelloFlow')).toBe(0);
      expect((await store.allSubscriptions()).map((s) => s.id)).toEqual(['3', '4']);
      expect(await store.subscribedFlows()).toEqual(['HelloFlow', 'Other']);
    });

    it('refuses events it does not know, and no events at all', async () => {
      await expect(store.subscribe(sub({ events: ['exploded' as Transition] }))).rejects.toThrow(/unknown event "exploded"/);
      await expect(store.subscribe(sub({ events: [] }))).rejects.toThrow(/no events/);
      expect(await store.allSubscriptions()).toEqual([]);
    });
  });

  describe('watch state', () => {
    it('keeps one state per flow and replaces it whole', async () => {
      expect(await store.watchState('HelloFlow')).toBeNull();
      await store.saveWatchState('HelloFlow', { newestRunId: '12', following: ['10', '12'] });
      await store.saveWatchState('Other', { newestRunId: null, following: [] });
      await store.saveWatchState('HelloFlow', { newestRunId: '13', following: ['13'] });
      expect(await store.watchState('HelloFlow')).toStrictEqual({ newestRunId: '13', following: ['13'] });
      expect(await store.watchState('Other')).toStrictEqual({ newestRunId: null, following: [] });
    });
  });

  describe('notification outbox', () => {
    it('enqueues a key once, whatever state it has reached', async () => {
      const [a, b, c, d] = ['F/1', 'F/2', 'F/3', 'F/4'].map((run) => note(run));
      for (const n of [a, b, c, d]) expect(await store.enqueue(n)).toBe(true);
      expect(await store.enqueue(a)).toBe(false);
      await store.claimPending('w', 10, 60_000);
      await store.markPosted(b, { channel: 'C1', ts: '1.1' });
      await store.markFailed(c, 'channel_not_found', null);
      for (const n of [a, b, c, d]) expect(await store.enqueue({ ...n, payload: 'other' })).toBe(false);
      expect(await store.enqueue(note('F/1', 'failed'))).toBe(true);
      expect(await store.enqueue(note('F/1', 'started', 'C2'))).toBe(true);
      expect(await store.counts()).toEqual({ pending: 2, inflight: 2, posted: 1, abandoned: 1 });
    });

    it('claims due items once, leased to the claimer, with their payload intact', async () => {
      const before = Date.now();
      await store.enqueue(note('F/1'));
      await store.enqueue(note('F/2'));
      const claimed = await store.claimPending('worker-a', 10, 60_000);
      expect(claimed.map((n) => n.run).sort()).toEqual(['F/1', 'F/2']);
      const one = claimed.find((n) => n.run === 'F/1')!;
      expect(one).toMatchObject({ ...note('F/1'), status: 'inflight', attempts: 1, owner: 'worker-a', posted: null, error: null });
      expect(one.createdAt).toBeGreaterThanOrEqual(before);
      expect(one.dueAt).toBe(one.createdAt);
      expect(one.leaseUntil).toBeGreaterThanOrEqual(before + 60_000);
      expect(await store.claimPending('worker-b', 10, 60_000)).toEqual([]);
      expect(await store.counts()).toEqual({ pending: 0, inflight: 2, posted: 0, abandoned: 0 });
    });

    it('claims at most the limit', async () => {
      for (let i = 0; i < 5; i++) await store.enqueue(note(`F/${i}`));
      expect(await store.claimPending('w', 2, 60_000)).toHaveLength(2);
      expect(await store.claimPending('w', 10, 60_000)).toHaveLength(3);
      await expect(store.claimPending('w', 0, 60_000)).rejects.toThrow(RangeError);
      await expect(store.claimPending('w', 1, 0)).rejects.toThrow(RangeError);
    });

    it('records the posted message; the first post of a run is the run message', async () => {
      expect(await store.runMessage('C1', 'F/1')).toBeNull();
      await store.enqueue(note('F/1', 'started'));
      await store.enqueue(note('F/1', 'failed'));
      const [started] = await store.claimPending('w', 10, 60_000);
      await store.markPosted(started, { channel: 'C1', ts: '100.1' });
      const [failed] = await store.claimPending('w', 10, 60_000);
      expect(failed.transition).toBe('failed');
      await store.markPosted(failed, { channel: 'C1', ts: '100.2' });
      expect(await store.runMessage('C1', 'F/1')).toEqual({ channel: 'C1', ts: '100.1' });
      expect(await store.runMessage('C2', 'F/1')).toBeNull();
      expect(await store.pending()).toEqual([]);
      expect(await store.counts()).toEqual({ pending: 0, inflight: 0, posted: 2, abandoned: 0 });
    });

    it('keeps the first message when told twice, and refuses keys never enqueued', async () => {
      await store.enqueue(note('F/1'));
      await store.claimPending('w', 1, 60_000);
      await store.markPosted(note('F/1'), { channel: 'D1', ts: '1.1' });
      await store.markPosted(note('F/1'), { channel: 'D1', ts: '2.2' });
      expect(await store.runMessage('C1', 'F/1')).toEqual({ channel: 'D1', ts: '1.1' });
      expect(await store.counts()).toEqual({ pending: 0, inflight: 0, posted: 1, abandoned: 0 });
      await expect(store.markPosted(note('F/9'), { channel: 'C1', ts: '1' })).rejects.toThrow(/no notification started of F\/9 in C1/);
      await expect(store.markFailed(note('F/9'), 'x', null)).rejects.toThrow(/no notification/);
    });

    it('hands out one item of a channel and run at a time, in enqueue order', async () => {
      await store.enqueue(note('F/1', 'started'));
      await store.enqueue(note('F/1', 'successful'));
      await store.enqueue(note('F/1', 'started', 'C2'));
      await store.enqueue(note('F/2', 'failed'));
      const first = await store.claimPending('w', 10, 60_000);
      expect(first.map((n) => `${n.channel} ${n.run} ${n.transition}`).sort()).toEqual(['C1 F/1 started', 'C1 F/2 failed', 'C2 F/1 started']);
      await store.markPosted(note('F/1', 'started'), { channel: 'C1', ts: '1.1' });
      const second = await store.claimPending('w', 10, 60_000);
      expect(second.map(keyOf)).toEqual([keyOf(note('F/1', 'successful'))]);
    });

    it('retries a failed item from its retry time, and gives up on one without', async () => {
      await store.enqueue(note('F/1', 'started'));
      await store.enqueue(note('F/1', 'failed'));
      await store.claimPending('w', 10, 60_000);
      const retryAt = Date.now() + 300;
      await store.markFailed(note('F/1'), 'ratelimited', retryAt);
      const [waiting] = await store.pending();
      expect(waiting).toMatchObject({ transition: 'started', status: 'pending', dueAt: retryAt, error: 'ratelimited', owner: null, leaseUntil: null });
      expect(await store.claimPending('w', 10, 60_000)).toEqual([]);
      await sleep(400);
      const [again] = await store.claimPending('w', 10, 60_000);
      expect(again).toMatchObject({ transition: 'started', status: 'inflight', attempts: 2, error: 'ratelimited' });

      await store.markFailed(again, 'not_in_channel', null);
      const [next] = await store.claimPending('w', 10, 60_000);
      expect(next.transition).toBe('failed');
      expect(await store.counts()).toEqual({ pending: 0, inflight: 1, posted: 0, abandoned: 1 });
    });

    it('ignores a failure report for an item that is not in flight', async () => {
      await store.enqueue(note('F/1'));
      await store.markFailed(note('F/1'), 'too early', Date.now() + 60_000);
      expect((await store.pending())[0]).toMatchObject({ status: 'pending', error: null });
      await store.claimPending('w', 1, 60_000);
      await store.markPosted(note('F/1'), { channel: 'C1', ts: '1.1' });
      await store.markFailed(note('F/1'), 'too late', null);
      expect(await store.counts()).toEqual({ pending: 0, inflight: 0, posted: 1, abandoned: 0 });
      expect(await store.runMessage('C1', 'F/1')).toEqual({ channel: 'C1', ts: '1.1' });
    });

    it('lets another claimer take an item whose lease expired, and still accepts the first poster’s report', async () => {
      await store.enqueue(note('F/1'));
      const other = await open();
      expect(await store.claimPending('dead', 1, 300)).toHaveLength(1);
      expect(await other.claimPending('alive', 1, 60_000)).toEqual([]);
      await sleep(400);
      const [reclaimed] = await other.claimPending('alive', 1, 60_000);
      expect(reclaimed).toMatchObject({ run: 'F/1', status: 'inflight', owner: 'alive', attempts: 2 });
      await store.markPosted(note('F/1'), { channel: 'C1', ts: '7.7' });
      expect(await other.pending()).toEqual([]);
      expect(await other.runMessage('C1', 'F/1')).toEqual({ channel: 'C1', ts: '7.7' });
    });

    it('ends at once the leases a restarted replica held under its id, and only those', async () => {
      for (const run of ['F/1', 'F/2', 'F/3']) await store.enqueue(note(run));
      expect((await store.claimPending('me', 1, 600_000)).map((n) => n.run)).toEqual(['F/1']);
      expect((await store.claimPending('them', 1, 600_000)).map((n) => n.run)).toEqual(['F/2']);
      const restarted = await open();
      expect(await restarted.releaseClaims('me')).toBe(1);
      expect(await restarted.releaseClaims('me')).toBe(0);
      const again = await restarted.claimPending('me', 10, 60_000);
      // Claimed again, so the poster knows to look for an earlier post; the other's stays its own.
      expect(again.map((n) => `${n.run} ${n.attempts}`).sort()).toEqual(['F/1 2', 'F/3 1']);
      expect(await restarted.counts()).toEqual({ pending: 0, inflight: 3, posted: 0, abandoned: 0 });
    });

    it('lists unfinished items in enqueue order', async () => {
      for (const run of ['F/3', 'F/1', 'F/2']) await store.enqueue(note(run));
      await store.claimPending('w', 1, 60_000);
      const pending = await store.pending();
      expect(pending.map((n) => n.run)).toEqual(['F/3', 'F/1', 'F/2']);
      expect(pending.filter((n) => n.status === 'inflight')).toHaveLength(1);
    });

    it('prunes runs whose items are all finished and old, and only those', async () => {
      await store.enqueue(note('F/1', 'started'));
      await store.enqueue(note('F/1', 'failed'));
      await store.enqueue(note('F/2', 'started'));
      await store.enqueue(note('F/3', 'started'));
      for (;;) {
        const claimed = await store.claimPending('w', 10, 60_000);
        const done = claimed.filter((n) => n.run !== 'F/2');
        if (done.length === 0) break;
        for (const n of done) {
          if (n.run === 'F/3') await store.markFailed(n, 'gone', null);
          else await store.markPosted(n, { channel: 'C1', ts: n.transition });
        }
      }
      expect(await store.pruneNotifications(Date.now() - 60_000)).toBe(0);
      expect(await store.pruneNotifications(Date.now() + 1)).toBe(3);
      expect(await store.counts()).toEqual({ pending: 0, inflight: 1, posted: 0, abandoned: 0 });
      expect(await store.runMessage('C1', 'F/1')).toBeNull();
      expect(await store.enqueue(note('F/1', 'started'))).toBe(true);
      expect(await store.enqueue(note('F/2', 'started'))).toBe(false);
    });

    it('never gives one item to two replicas claiming at the same time', async () => {
      const runs = Array.from({ length: 60 }, (_, i) => `F/${i}`);
      for (const run of runs) await store.enqueue(note(run));
      const replicas = [store, await open(), await open()];
      const claims = await Promise.all(
        replicas.map(async (replica, r) => {
          const mine: string[] = [];
          for (;;) {
            const got = await replica.claimPending(`replica-${r}`, 3, 60_000);
            if (got.length === 0) return mine;
            for (const n of got) expect(n.owner).toBe(`replica-${r}`);
            mine.push(...got.map((n) => n.run));
          }
        }),
      );
      const all = claims.flat();
      expect(all.sort()).toEqual([...runs].sort());
      expect(new Set(all).size).toBe(runs.length);
    });
  });

  describe('posting turns', () => {
    it('gives a channel’s turn to one poster at a time, and tells the others how long it stays taken', async () => {
      expect(await store.takePostTurn('C1', 500)).toBe(0);
      const wait = await store.takePostTurn('C1', 500);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(500);
      expect(await store.takePostTurn('C2', 500)).toBe(0);
      await sleep(wait + 50);
      expect(await store.takePostTurn('C1', 500)).toBe(0);
    });

    it('holds a turn for at least the time given, never shortening a longer hold', async () => {
      await store.holdPostTurn('C1', 60_000);
      await store.holdPostTurn('C1', 100);
      expect(await store.takePostTurn('C1', 500)).toBeGreaterThan(50_000);
      await store.holdPostTurn('C2', 200);
      expect(await store.takePostTurn('C2', 500)).toBeGreaterThan(0);
      await sleep(250);
      expect(await store.takePostTurn('C2', 500)).toBe(0);
    });
  });

  describe('leadership', () => {
    it('has one leader at a time, renewed only by its holder', async () => {
      const other = await open();
      expect(await store.leader()).toBeNull();
      expect(await store.acquireLeadership('a', 60_000)).toBe(true);
      expect(await other.acquireLeadership('b', 60_000)).toBe(false);
      expect(await other.leader()).toBe('a');
      expect(await store.acquireLeadership('a', 60_000)).toBe(true);
      expect(await store.renewLeadership('a', 60_000)).toBe(true);
      expect(await other.renewLeadership('b', 60_000)).toBe(false);
      await other.releaseLeadership('b');
      expect(await other.leader()).toBe('a');
      await store.releaseLeadership('a');
      expect(await other.leader()).toBeNull();
      expect(await other.acquireLeadership('b', 60_000)).toBe(true);
      expect(await store.leader()).toBe('b');
    });

    it('expires unless renewed, and then another replica takes over', async () => {
      const other = await open();
      expect(await store.acquireLeadership('a', 600)).toBe(true);
      await sleep(300);
      expect(await store.renewLeadership('a', 600)).toBe(true);
      await sleep(400);
      expect(await other.leader()).toBe('a');
      expect(await other.acquireLeadership('b', 60_000)).toBe(false);
      await sleep(400);
      expect(await other.leader()).toBeNull();
      expect(await store.renewLeadership('a', 60_000)).toBe(false);
      expect(await other.acquireLeadership('b', 60_000)).toBe(true);
      expect(await store.renewLeadership('a', 60_000)).toBe(false);
      await store.releaseLeadership('a');
      expect(await store.leader()).toBe('b');
    });

    it('goes to exactly one of several replicas asking at once', async () => {
      const replicas = [store, await open(), await open(), await open()];
      const won = await Promise.all(replicas.map((r, i) => r.acquireLeadership(`r${i}`, 60_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await store.leader()).toBe(`r${won.indexOf(true)}`);
    });
  });

  describe('modal answers under way', () => {
    it('is taken over only after its lease ended, and is then leased to the new owner', async () => {
      const other = await open();
      await store.holdAnswer(answer('V1'), 'replica-a', T + 1000);
      expect(await other.takeOverAnswers('replica-b', T + 999, T + 5000, 10)).toEqual([]);
      expect(await other.takeOverAnswers('replica-b', T + 1000, T + 5000, 10)).toEqual([]);
      expect(await other.takeOverAnswers('replica-b', T + 1001, T + 5000, 10)).toStrictEqual([answer('V1')]);
      expect(await store.takeOverAnswers('replica-c', T + 1001, T + 9000, 10)).toEqual([]);
      expect(await store.takeOverAnswers('replica-c', T + 5000, T + 9000, 10)).toEqual([]);
      expect(await store.takeOverAnswers('replica-c', T + 5001, T + 9000, 10)).toStrictEqual([answer('V1')]);
    });

    it('keeps a null hash', async () => {
      await store.holdAnswer(answer('V1', { hash: null }), 'a', T);
      expect(await store.takeOverAnswers('b', T + 1, T + 100, 10)).toStrictEqual([answer('V1', { hash: null })]);
    });

    it('replaces an answer held again for the same view, keeping when it was first held', async () => {
      await store.holdAnswer(answer('V1'), 'a', T + 1000);
      const again = answer('V1', { hash: null, user: 'U2', nav: 'elsewhere', createdAt: T + 500 });
      await store.holdAnswer(again, 'b', T + 3000);
      expect(await store.takeOverAnswers('c', T + 2000, T + 9000, 10)).toEqual([]);
      expect(await store.takeOverAnswers('c', T + 3001, T + 9000, 10)).toStrictEqual([{ ...again, createdAt: T }]);
      // A shorter lease replaces a longer one too.
      await store.holdAnswer(answer('V1', { hash: 'h2' }), 'd', T + 10);
      expect(await store.takeOverAnswers('e', T + 11, T + 9000, 10)).toStrictEqual([answer('V1', { hash: 'h2' })]);
    });

    it('lets only its holder release an answer: a later click on the view, held elsewhere, stays', async () => {
      await store.holdAnswer(answer('V1'), 'a', T);
      await store.holdAnswer(answer('V1', { nav: 'later click' }), 'b', T);
      await store.releaseAnswer('V1', 'a');
      expect(await store.takeOverAnswers('c', T + 1, T + 100, 10)).toStrictEqual([answer('V1', { nav: 'later click' })]);
    });

    it('renews the leases its owner still holds, and only those', async () => {
      await store.holdAnswer(answer('V1'), 'a', T);
      await store.holdAnswer(answer('V2'), 'a', T);
      await store.holdAnswer(answer('V3'), 'b', T);
      expect(await store.renewAnswers('a', ['V1', 'V3', 'V-unknown'], T + 1000)).toBe(1);
      expect(await store.renewAnswers('a', [], T + 1000)).toBe(0);
      const taken = await store.takeOverAnswers('c', T + 1, T + 5000, 10);
      expect(taken.map((t) => t.viewId).sort()).toEqual(['V2', 'V3']);
      expect(await store.takeOverAnswers('c', T + 1001, T + 5000, 10)).toStrictEqual([answer('V1')]);
    });

    it('forgets a released answer, and releases an unknown view quietly', async () => {
      await store.holdAnswer(answer('V1'), 'a', T);
      await store.holdAnswer(answer('V2'), 'a', T);
      await store.releaseAnswer('V1', 'a');
      await store.releaseAnswer('V1', 'a');
      await store.releaseAnswer('V-unknown', 'a');
      expect(await store.takeOverAnswers('b', T + 1, T + 100, 10)).toStrictEqual([answer('V2')]);
      await store.releaseAnswer('V2', 'b');
      expect(await store.takeOverAnswers('b', T + 1000, T + 2000, 10)).toEqual([]);
      // Held anew after a release, an answer is a new one: nothing of the old is kept.
      await store.holdAnswer(answer('V1', { createdAt: T + 7 }), 'a', T);
      expect(await store.takeOverAnswers('b', T + 1, T + 100, 10)).toStrictEqual([answer('V1', { createdAt: T + 7 })]);
    });

    it('takes at most the limit, oldest first whatever the lease order', async () => {
      const ages: Record<string, number> = { V1: 30, V2: 10, V3: 50, V4: 20, V5: 40 };
      for (const [viewId, age] of Object.entries(ages)) await store.holdAnswer(answer(viewId, { createdAt: T + age }), 'a', T + 100 - age);
      const take = async (limit: number): Promise<string[]> => (await store.takeOverAnswers('b', T + 1000, T + 9000, limit)).map((a) => a.viewId);
      expect(await take(2)).toEqual(['V2', 'V4']);
      expect(await take(2)).toEqual(['V1', 'V5']);
      expect(await take(10)).toEqual(['V3']);
      expect(await take(10)).toEqual([]);
      await expect(store.takeOverAnswers('b', T, T + 100, 0)).rejects.toThrow(RangeError);
      await expect(store.takeOverAnswers('b', T, T, 1)).rejects.toThrow(RangeError);
    });

    it('survives close and reopen', async () => {
      await store.holdAnswer(answer('V1'), 'a', T);
      await store.close();
      store = await open();
      expect(await store.takeOverAnswers('b', T + 1, T + 100, 10)).toStrictEqual([answer('V1')]);
    });

    it('never gives one answer to two replicas taking over at the same time', async () => {
      const views = Array.from({ length: 20 }, (_, i) => `V${i}`);
      for (const [i, viewId] of views.entries()) await store.holdAnswer(answer(viewId, { createdAt: T + i }), 'dead', T);
      const replicas = [store, await open()];
      const taken = await Promise.all(
        replicas.map(async (replica, r) => {
          const mine: string[] = [];
          for (;;) {
            const got = await replica.takeOverAnswers(`replica-${r}`, T + 1, T + 60_000, 3);
            if (got.length === 0) return mine;
            mine.push(...got.map((a) => a.viewId));
          }
        }),
      );
      const all = taken.flat();
      expect(all.sort()).toEqual([...views].sort());
      expect(new Set(all).size).toBe(views.length);
    });
  });

  describe('durability and schema', () => {
    it('keeps everything across close and reopen', async () => {
      await store.setCurrentRun({ channel: 'C1', thread: '1.2' }, 'F/1');
      await store.setUserCurrentRun('U1', 'F/2');
      await store.subscribe(sub({ tag: 'prod' }));
      await store.saveWatchState('HelloFlow', { newestRunId: '5', following: ['4'] });
      await store.enqueue(note('F/1', 'started'));
      await store.enqueue(note('F/1', 'failed'));
      await store.enqueue(note('F/2', 'started'));
      const [started] = await store.claimPending('w', 1, 60_000);
      await store.markPosted(started, { channel: 'C1', ts: '9.9' });
      await store.claimPending('w', 1, 60_000);
      await store.acquireLeadership('a', 60_000);
      const pendingBefore = await store.pending();
      await store.close();

      store = await open();
      expect(await store.currentRun({ channel: 'C1', thread: '1.2' })).toBe('F/1');
      expect(await store.userCurrentRun('U1')).toBe('F/2');
      expect(await store.subscriptions('C1')).toStrictEqual([sub({ tag: 'prod' })]);
      expect(await store.watchState('HelloFlow')).toStrictEqual({ newestRunId: '5', following: ['4'] });
      expect(await store.pending()).toStrictEqual(pendingBefore);
      expect(await store.runMessage('C1', 'F/1')).toEqual({ channel: 'C1', ts: '9.9' });
      expect(await store.enqueue(note('F/1', 'started'))).toBe(false);
      expect(await store.counts()).toEqual({ pending: 1, inflight: 1, posted: 1, abandoned: 0 });
      expect(await store.leader()).toBe('a');
    });

    it('creates the current schema in empty storage', async () => {
      expect(await backend.schemaVersion()).toBe(STATE_SCHEMA_VERSION);
    });

    it('migrates a v1 store, keeping its conversations', async () => {
      await backend.fresh();
      await backend.writeV1({ C1: 'F/1', 'C1:111.222': 'F/2' });
      // Replicas starting together: one migrates, the others find it done.
      [store] = await Promise.all([open(), open(), open()]);
      expect(await backend.schemaVersion()).toBe(STATE_SCHEMA_VERSION);
      expect(await store.currentRun({ channel: 'C1' })).toBe('F/1');
      expect(await store.currentRun({ channel: 'C1', thread: '111.222' })).toBe('F/2');
      expect(await store.enqueue(note('F/1'))).toBe(true);
      await store.holdAnswer(answer('V1'), 'a', T);
      expect(await store.takeOverAnswers('b', T + 1, T + 100, 10)).toStrictEqual([answer('V1')]);
      // Opening a migrated store again finds nothing to do.
      store = await open();
      expect(await store.currentRun({ channel: 'C1' })).toBe('F/1');
    });

    it('refuses a store written by a newer metaflowbot', async () => {
      const newer = STATE_SCHEMA_VERSION + 1;
      await backend.setSchemaVersion(newer);
      const message = `state schema v${newer} is newer than this metaflowbot (knows v${STATE_SCHEMA_VERSION}): upgrade metaflowbot or point it at another store`;
      await expect(backend.open()).rejects.toThrow(message);
      expect(await backend.schemaVersion()).toBe(newer);
    });
  });
}
