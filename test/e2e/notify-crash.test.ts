/**
 * Exactly once, in effect, with real crashes: the bot runs as a child process
 * (test/support/bot-process.ts) and is SIGKILLed at random moments while runs appear, fail and
 * finish (a burst of 50 transitions); the fake Slack, in this process, outlives every bot.
 *
 * 1. One bot on a SQLite state file, killed five times and restarted each time.
 * 2. Two replicas on Redis (a key prefix of their own): the leader is killed, the other takes
 *    the lock within its ttl and the notifications go on.
 *
 * Lost: a key (channel, run, transition) a subscription asked for that no message shows.
 * Doubled: two successful chat.postMessage calls for one key, i.e. two notices a channel sees
 * (edits of a card replace it, so a repeated chat.update is no second notice).
 *
 * The design allows one kind of double (store.ts, poster.ts): a kill after Slack accepted a
 * post and before the outbox recorded it; the item is posted again once its lease ends. So a
 * double passes only when a kill came right after the first copy reached Slack, and at most
 * one per kill. The seed is printed, and NOTIFY_CRASH_SEED replays a run.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { NotifierOverrides } from '../../src/notify';
import { RedisStateStore } from '../../src/state/redis/store';
import { SqliteStateStore } from '../../src/state/sqlite/store';
import type { StateStore } from '../../src/state/store';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { TEST_APP_TOKEN, TEST_BOT_TOKEN, type TestBotOptions } from '../support/bot';
import { BotProcess, buildBot } from '../support/bot-process';
import { ChangingMetaflow } from '../support/changing-metaflow';
import { NotificationBurst, sleep } from '../support/notification-burst';
import { prng } from '../support/prng';
import { deleteRedisKeys, REDIS_TEST_URL, redisUnreachable } from '../support/redis';

const SEED = Number(process.env.NOTIFY_CRASH_SEED ?? Date.now() % 1_000_000_007);
const FLOWS_PER_SCENARIO = 5;
const RUNS_PER_FLOW = 5;
const BURST_MS = 8000;
/** From a copy reaching Slack to the outbox recording it: a kill in here may double a notice. */
const POST_TO_RECORD_MS = 1000;
const CONVERGE_MS = 45_000;

/**
 * Fast enough for a test and still honest: a 2 s timeout per Slack call (the fake answers in
 * milliseconds), one item claimed at a time, so the lease the bot checks can be 10 s; a dead
 * leader's lock expires after 3 s.
 */
const NOTIFIER: NotifierOverrides = { requestTimeoutMs: 2000, retries: 0, claimLimit: 1, leaseMs: 10_000, idleMs: 100, leaderTtlMs: 3000 };

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
let build: string;
let mf: ChangingMetaflow;

beforeAll(async () => {
  process.stdout.write(`notify crash tests: seed ${SEED}\n`);
  build = buildBot();
  const channels = ['sqlite', 'redis'].flatMap((s) => NotificationBurst.fakeChannels(s, FLOWS_PER_SCENARIO));
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

/** Nothing lost, nothing unasked for, doubles only inside the window and at most one per kill;
 *  each run has one card per channel (two only for a doubled card), its thread under it, and
 *  the card shows how the run ended. Returns how many were doubled. */
async function checkExactlyOnce(expected: Set<string>, burst: NotificationBurst, kills: number[], state: StateStore): Promise<number> {
  const all = burst.notices();
  const { lost, unasked, doubled } = burst.tally(expected);
  expect(lost).toEqual([]);
  expect(unasked).toEqual([]);

  for (const copies of doubled) {
    const first = copies[0].call.at;
    const explained = kills.some((k) => k >= first && k - first <= POST_TO_RECORD_MS);
    expect({ key: copies[0].key, copies: copies.length, explainedByAKill: explained }).toEqual({ key: copies[0].key, copies: 2, explainedByAKill: true });
  }
  expect(doubled.length).toBeLessThanOrEqual(kills.length);
  expect(await state.counts()).toMatchObject({ pending: 0, inflight: 0, abandoned: 0 });

  const doubledKeys = new Set(doubled.map((c) => c[0].key));
  for (const channel of burst.allChannels) {
    const mine = all.filter((n) => n.channel === channel);
    for (const run of new Set(mine.map((n) => n.run))) {
      const ofRun = mine.filter((n) => n.run === run);
      const cards = ofRun.filter((n) => n.call.params.thread_ts === undefined);
      expect(cards.length).toBe(cards.some((c) => doubledKeys.has(c.key)) ? 2 : 1);
      const cardTs = new Set(cards.map((c) => (c.call.response as { ts: string }).ts));
      for (const reply of ofRun.filter((n) => n.call.params.thread_ts !== undefined)) expect(cardTs.has(String(reply.call.params.thread_ts))).toBe(true);
      // The card the thread hangs under (or the only one) shows how the run ended.
      const ending = ofRun.find((n) => !n.key.endsWith(' started'));
      if (!ending) continue;
      const cardOfEnding = String(ending.call.params.thread_ts ?? (ending.call.response as { ts: string }).ts);
      const shown = fake.messages(channel).find((m) => m.ts === cardOfEnding);
      expect(JSON.stringify(shown?.blocks)).toMatch(ending.key.endsWith(' failed') ? /failed in step/ : /finished successfully/);
    }
  }
  return doubled.length;
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
    const botOptions = options({ kind: 'sqlite', path });
    let bot = await BotProcess.start(build, botOptions);
    const kills: number[] = [];
    const chaos = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await sleep(between(300, 2500));
        kills.push(Date.now());
        await bot.kill();
        bot = await BotProcess.start(build, botOptions);
      }
    })();
    try {
      const expected = await notifications.run(BURST_MS);
      await chaos;
      await converged(expected, notifications, state);
      const doubled = await checkExactlyOnce(expected, notifications, kills, state);
      // Kills that landed while the bot was posting: a notice reached Slack in the second before.
      const posts = notifications.notices().map((n) => n.call.at);
      const midPosting = kills.filter((k) => posts.some((at) => at <= k && k - at < 1000)).length;
      process.stdout.write(
        `crash test (SQLite): ${expected.size} notices for 50 transitions, ${kills.length} SIGKILLs (${midPosting} while posting), ` +
          `${doubled} doubled (within the post→record window), done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
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
    const a = await BotProcess.start(build, options(stateOptions, { replicaId: 'replica-a', leaderTtlMs: TTL }));
    let b: BotProcess | null = null;
    try {
      await until('replica-a leads', async () => (await state.leader()) === 'replica-a', 10_000);
      b = await BotProcess.start(build, options(stateOptions, { replicaId: 'replica-b', leaderTtlMs: TTL }));
      const bursting = notifications.run(BURST_MS);
      await sleep(between(2000, 4000));
      const killedAt = Date.now();
      await a.kill();
      await until('replica-b leads', async () => (await state.leader()) === 'replica-b', 3 * TTL);
      const takeover = Date.now() - killedAt;
      const expected = await bursting;
      await converged(expected, notifications, state);
      const doubled = await checkExactlyOnce(expected, notifications, [killedAt], state);
      process.stdout.write(`replica test (Redis): leader killed, replica-b took over after ${takeover} ms (ttl ${TTL} ms); ${expected.size} notices, ${doubled} doubled\n`);
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
