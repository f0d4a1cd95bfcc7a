/**
 * Exactly once, in effect, with real crashes: the bot runs as a child process
 * (test/support/bot-process.ts) and is SIGKILLed at random moments while runs appear, fail and
 * finish (a burst of 50 transitions); the fake Slack, in this process, outlives every bot.
 *
 * 1. One bot on a SQLite state file, killed five times and restarted each time under the same
 *    replica id. Its leases are longer than the test may take, so what a killed bot was posting
 *    is finished only because the restarted one takes it back at once.
 * 2. Two replicas on Redis (a key prefix of their own): the leader is killed, the other takes
 *    the lock within its ttl, the dead one's claims when their lease ends, and the
 *    notifications go on.
 * 3. A bot killed while Slack has taken one of its posts and not answered, and another post
 *    never reached Slack: restarted, it finds the first and posts the second, at once.
 *
 * Lost: a key (channel, run, transition) a subscription asked for that no message shows.
 * Doubled: two successful chat.postMessage calls for one key, i.e. two notices a channel sees
 * (edits of a card replace it, so a repeated chat.update is no second notice). Neither may
 * happen: an item claimed again is looked for in Slack before it is posted (src/notify/earlier.ts).
 * The seed is printed, and NOTIFY_CRASH_SEED replays a run.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { NotifierOverrides } from '../../src/notify';
import { RedisStateStore } from '../../src/state/redis/store';
import { SqliteStateStore } from '../../src/state/sqlite/store';
import type { StateStore } from '../../src/state/store';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { TEST_APP_TOKEN, TEST_BOT_TOKEN, type TestBotOptions } from '../support/bot';
import { BotProcess, SOURCE } from '../support/bot-process';
import { ChangingMetaflow } from '../support/changing-metaflow';
import { NotificationBurst, sleep } from '../support/notification-burst';
import { prng } from '../support/prng';
import { deleteRedisKeys, REDIS_TEST_URL, redisUnreachable } from '../support/redis';

const SEED = Number(process.env.NOTIFY_CRASH_SEED ?? Date.now() % 1_000_000_007);
const FLOWS_PER_SCENARIO = 5;
const RUNS_PER_FLOW = 5;
const BURST_MS = 8000;
const CONVERGE_MS = 45_000;
/** Far beyond what a test waits for: only a replica taking back its own claims beats it. */
const LONG_LEASE_MS = 150_000;

/**
 * Fast enough for a test and still honest: a 2 s timeout per Slack call (the fake answers in
 * milliseconds), one item claimed at a time, so the lease the bot checks can be 20 s; a dead
 * leader's lock expires after 3 s.
 */
const NOTIFIER: NotifierOverrides = { requestTimeoutMs: 2000, retries: 0, claimLimit: 1, leaseMs: 20_000, idleMs: 100, leaderTtlMs: 3000 };
const RECONCILE_CHANNELS = [
  { id: 'C0RECON001', name: 'reconcile-reached' },
  { id: 'C0RECON002', name: 'reconcile-dropped' },
];

const random = prng(SEED);
const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo));

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (seed ${SEED})`);
    await sleep(100);
  }
}

let fake: FakeSlack;
let mf: ChangingMetaflow;

beforeAll(async () => {
  process.stdout.write(`notify crash tests: seed ${SEED}\n`);
  const channels = [...['sqlite', 'redis'].flatMap((s) => NotificationBurst.fakeChannels(s, FLOWS_PER_SCENARIO)), ...RECONCILE_CHANNELS];
  fake = await startFakeSlack({
    token: TEST_BOT_TOKEN,
    appToken: TEST_APP_TOKEN,
    channels,
    rateLimits: { 'chat.postMessage': { limit: 1, windowMs: 1000, per: 'channel' } },
  });
  mf = await ChangingMetaflow.create([]);
}, 120_000);

afterAll(async () => {
  await fake.close();
  await mf.remove();
});

async function burstOf(scenario: string, state: StateStore): Promise<NotificationBurst> {
  const burst = new NotificationBurst({ mf, fake, random, scenario, flows: FLOWS_PER_SCENARIO, runsPerFlow: RUNS_PER_FLOW });
  await burst.subscribe(state);
  return burst;
}

async function converged(expected: Set<string>, burst: NotificationBurst, state: StateStore): Promise<void> {
  await until('every notice posted and the outbox empty', async () => burst.complete(expected) && (await state.pending()).length === 0, CONVERGE_MS);
}

/** Nothing lost, nothing doubled, nothing unasked for; each run has one card per channel, its
 *  thread under it, and the card shows how the run ended. */
async function checkExactlyOnce(expected: Set<string>, burst: NotificationBurst, state: StateStore): Promise<void> {
  const all = burst.notices();
  const { lost, unasked, doubled } = burst.tally(expected);
  expect(lost).toEqual([]);
  expect(unasked).toEqual([]);
  expect(doubled.map((copies) => `${copies[0].key} ×${copies.length}`)).toEqual([]);
  expect(await state.counts()).toMatchObject({ pending: 0, inflight: 0, abandoned: 0 });

  for (const channel of burst.allChannels) {
    const mine = all.filter((n) => n.channel === channel);
    for (const run of new Set(mine.map((n) => n.run))) {
      const ofRun = mine.filter((n) => n.run === run);
      const cards = ofRun.filter((n) => n.call.params.thread_ts === undefined);
      expect(cards).toHaveLength(1);
      const cardTs = (cards[0].call.response as { ts: string }).ts;
      for (const reply of ofRun.filter((n) => n.call.params.thread_ts !== undefined)) expect(String(reply.call.params.thread_ts)).toBe(cardTs);
      // The card shows how the run ended.
      const ending = ofRun.find((n) => !n.key.endsWith(' started'));
      if (!ending) continue;
      const shown = fake.messages(channel).find((m) => m.ts === cardTs);
      expect(JSON.stringify(shown?.blocks)).toMatch(ending.key.endsWith(' failed') ? /failed in step/ : /finished successfully/);
    }
  }
}

/** Kills that came while the bot was posting: a notice reached Slack in the second before. */
function midPosting(burst: NotificationBurst, kills: number[]): number {
  const posts = burst.notices().map((n) => n.call.at);
  return kills.filter((k) => posts.some((at) => at <= k && k - at < 1000)).length;
}

function options(state: TestBotOptions['state'], notifier: NotifierOverrides = {}): TestBotOptions {
  return {
    slackApiUrl: fake.url,
    metaflowRoot: mf.root,
    pollIntervalMs: 250,
    lostAfterMs: 10 * 60 * 1000,
    state,
    notifier: { ...NOTIFIER, ...notifier },
  };
}

describe('one bot on SQLite, SIGKILLed at random moments during a burst of 50 transitions', () => {
  const KILLS = 5;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metaflowbot-crash-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts after each kill and in the end has lost nothing and doubled nothing', async () => {
    const started = Date.now();
    const path = join(dir, 'state.db');
    const state = new SqliteStateStore(path);
    const notifications = await burstOf('sqlite', state);
    const botOptions = options({ kind: 'sqlite', path }, { replicaId: 'sqlite-bot', leaseMs: LONG_LEASE_MS });
    let bot = await BotProcess.start(SOURCE, botOptions);
    const kills: number[] = [];
    const chaos = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await sleep(between(300, 2500));
        kills.push(Date.now());
        await bot.kill();
        bot = await BotProcess.start(SOURCE, botOptions);
      }
    })();
    try {
      const expected = await notifications.run(BURST_MS);
      await chaos;
      await converged(expected, notifications, state);
      await checkExactlyOnce(expected, notifications, state);
      const lookups = fake.callsTo('conversations.history').length + fake.callsTo('conversations.replies').length;
      process.stdout.write(
        `crash test (SQLite): ${expected.size} notices for 50 transitions, ${kills.length} SIGKILLs (${midPosting(notifications, kills)} while posting), ` +
          `none lost or doubled, ${lookups} lookups so far, done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    } catch (err) {
      process.stdout.write(`last bot output:\n${bot.log}\n`);
      throw err;
    } finally {
      await chaos.catch(() => undefined);
      await bot.stop();
      await state.close();
    }
  }, 120_000);
});

const unreachable = redisUnreachable(REDIS_TEST_URL);
if (unreachable && process.env.CI) {
  throw new Error(`The replica notification test needs Redis at ${REDIS_TEST_URL} and CI is set, so it may not be skipped: ${unreachable}`);
}
if (unreachable) {
  process.stderr.write(`Skipping the two-replica notification test: it needs Redis on 127.0.0.1:6379 (or REDIS_URL); ${REDIS_TEST_URL}: ${unreachable}\n`);
}

(unreachable ? describe.skip : describe)('two replicas on Redis, the leader SIGKILLed mid-burst', () => {
  const TTL = 5000;
  const prefix = `metaflowbot-test:${randomUUID()}`;
  let admin: Redis;

  beforeAll(() => {
    admin = new Redis(REDIS_TEST_URL);
  });

  afterAll(async () => {
    await deleteRedisKeys(admin, prefix);
    await admin.quit();
  });

  it('the other takes over within the ttl and notifications go on without loss or duplicates', async () => {
    const state = await RedisStateStore.open(REDIS_TEST_URL, prefix);
    const notifications = await burstOf('redis', state);
    const stateOptions = { kind: 'redis' as const, url: REDIS_TEST_URL, prefix };
    const a = await BotProcess.start(SOURCE, options(stateOptions, { replicaId: 'replica-a', leaderTtlMs: TTL }));
    let b: BotProcess | null = null;
    try {
      await until('replica-a leads', async () => (await state.leader()) === 'replica-a', 10_000);
      b = await BotProcess.start(SOURCE, options(stateOptions, { replicaId: 'replica-b', leaderTtlMs: TTL }));
      const bursting = notifications.run(BURST_MS);
      await sleep(between(2000, 4000));
      const killedAt = Date.now();
      await a.kill();
      await until('replica-b leads', async () => (await state.leader()) === 'replica-b', 3 * TTL);
      const takeover = Date.now() - killedAt;
      const expected = await bursting;
      await converged(expected, notifications, state);
      await checkExactlyOnce(expected, notifications, state);
      process.stdout.write(
        `replica test (Redis): leader killed${midPosting(notifications, [killedAt]) ? ' while posting' : ''}, replica-b took over after ${takeover} ms (ttl ${TTL} ms); ` +
          `${expected.size} notices, none lost or doubled\n`,
      );
      // The lock outlives its holder by at most its ttl; the follower looks every ttl/10.
      expect(takeover).toBeLessThanOrEqual(TTL + TTL / 10 + 1000);
    } catch (err) {
      process.stdout.write(`replica-a output:\n${a.log}\nreplica-b output:\n${b?.log ?? ''}\n`);
      throw err;
    } finally {
      await a.kill();
      await b?.stop();
      await state.close();
    }
  }, 120_000);
});

/**
 * Between the bot and the fake Slack. While `holding`, a chat.postMessage to `reach` is
 * delivered to Slack but its answer never comes back, and one to `drop` never reaches Slack:
 * a bot killed then has two posts in flight, one that Slack took and one that it never got.
 * Every other call passes through.
 */
class StallingProxy {
  holding = true;
  /** The channels of the posts held so far. */
  readonly held: string[] = [];
  private readonly parked: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string, reach: string, drop: string): Promise<StallingProxy> {
    let proxy: StallingProxy | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const channel = new URLSearchParams(body.toString('utf8')).get('channel') ?? '';
        const held = proxy!.holding && req.url === '/api/chat.postMessage' && (channel === reach || channel === drop);
        if (held) proxy!.parked.push(res);
        const forwarded =
          held && channel === drop
            ? Promise.resolve(null)
            : fetch(`${target}${req.url}`, { method: 'POST', headers: { authorization: String(req.headers.authorization ?? ''), 'content-type': String(req.headers['content-type'] ?? '') }, body });
        void forwarded.then(async (answer) => {
          if (held) {
            proxy!.held.push(channel);
            return;
          }
          const retryAfter = answer!.headers.get('retry-after');
          res.writeHead(answer!.status, { 'content-type': answer!.headers.get('content-type') ?? 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) });
          res.end(Buffer.from(await answer!.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new StallingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`);
    return proxy;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('a bot SIGKILLed with posts in flight, restarted under the same replica id', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metaflowbot-reconcile-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes them back at once: records the post Slack took, posts the one it never got, and watches on', async () => {
    const [reach, drop] = RECONCILE_CHANNELS.map((c) => c.id);
    const path = join(dir, 'state.db');
    const state = new SqliteStateStore(path);
    const flow = 'ReconcileFlow';
    await mf.addFlow(flow);
    for (const channel of [reach, drop]) {
      await state.subscribe({ id: randomUUID(), channel, flow, events: ['started'], createdBy: 'U0ALICE001', createdAt: Date.now() });
    }
    const proxy = await StallingProxy.start(fake.origin, reach, drop);
    // Both items claimed at once; Slack calls may take 10 s, so posting a batch may take 64 s and
    // the lease must be at least twice that; the leader lock lasts as long.
    const notifier: NotifierOverrides = { replicaId: 'reconciling-bot', requestTimeoutMs: 10_000, retries: 0, claimLimit: 2, leaseMs: LONG_LEASE_MS, idleMs: 100, leaderTtlMs: LONG_LEASE_MS };
    const through = (slackApiUrl: string): TestBotOptions => ({ ...options({ kind: 'sqlite', path }, notifier), slackApiUrl });
    const noticesOf = (run: string, channel: string) => fake.callsTo('chat.postMessage').filter((c) => {
      const payload = (c.params.metadata as { event_payload?: { run?: string } } | undefined)?.event_payload;
      return c.params.channel === channel && payload?.run === `${flow}/${run}` && (c.response as { ok?: boolean }).ok === true;
    });
    let bot = await BotProcess.start(SOURCE, through(proxy.url));
    try {
      const run = await mf.appear(flow);
      await until('both posts in flight', async () => proxy.held.length === 2, 15_000);
      expect(noticesOf(run, reach)).toHaveLength(1);
      expect(noticesOf(run, drop)).toEqual([]);
      expect((await state.pending()).map((n) => [n.channel, n.status, n.owner])).toEqual(
        expect.arrayContaining([
          [reach, 'inflight', 'reconciling-bot'],
          [drop, 'inflight', 'reconciling-bot'],
        ]),
      );
      await bot.kill();

      bot = await BotProcess.start(SOURCE, through(fake.url));
      // Well before the lease (and the leader lock) of the killed bot would run out.
      await until('the notices of the killed bot finished', async () => (await state.pending()).length === 0, 20_000);
      expect(noticesOf(run, reach)).toHaveLength(1);
      expect(noticesOf(run, drop)).toHaveLength(1);
      expect(await state.runMessage(reach, `${flow}/${run}`)).toEqual({ channel: reach, ts: (noticesOf(run, reach)[0].response as { ts: string }).ts });
      expect(fake.callsTo('conversations.history').map((c) => c.params.channel)).toEqual(expect.arrayContaining([reach, drop]));
      // It leads again at once, under its old lock: a new run is told.
      const next = await mf.appear(flow);
      await until('a new run told', async () => noticesOf(next, reach).length === 1 && noticesOf(next, drop).length === 1, 20_000);
    } catch (err) {
      process.stdout.write(`last bot output:\n${bot.log}\n`);
      throw err;
    } finally {
      await bot.stop();
      await proxy.close();
      await state.close();
    }
  }, 120_000);
});
