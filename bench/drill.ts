/**
 * `npm run drill`: the crash drill. Two replicas of the real bot share Redis behind a load
 * balancer (drill-balancer.ts), as docs/deploy.md deploys them. While runs of five watched
 * flows appear, fail and finish (a notification burst) and simulated users click through the
 * bot (load-users.ts), a replica is SIGKILLed — the leader or the follower, at random — and
 * started again, N times. Then the drill waits for the outbox to drain and counts:
 *
 * - lost notifications: a notice a subscription asked for that never reached the channel;
 * - duplicated notifications: a notice posted twice (a card edited in place is one notice);
 * - failed interactions: a command, click or App Home open whose answer the user never saw
 *   (an error status, or no view or message within 20 s), split into those that a replica
 *   had already received when it was killed and the others.
 *
 * A killed replica restarts under the same replica id, so it takes back at once the
 * notifications it was posting and looks each up in Slack before posting it again.
 *
 * The notifier runs with a 20 s lease and a 3 s leader ttl instead of 5 min and 25 s, and modal
 * answers with a 2 s lease instead of 10 s, so that a drill converges in seconds; the defaults
 * change how long recovery takes, not whether.
 *
 * Environment: DRILL_KILLS (default 10), DRILL_USERS (default 10), DRILL_SEED (replays a drill),
 * REDIS_URL (default redis://127.0.0.1:6379; the drill's keys get a prefix of their own and go
 * at the end). The bot is the build in dist/ (`npm run drill` builds it first).
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { NotifierOverrides } from '../src/notify';
import { RedisStateStore } from '../src/state/redis/store';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBotOptions } from '../test/support/bot';
import { BotProcess } from '../test/support/bot-process';
import { ChangingMetaflow } from '../test/support/changing-metaflow';
import { DEFAULT_CHANNELS, DEFAULT_USERS, startFakeSlack } from '../test/support/fake-slack';
import { NotificationBurst, sleep } from '../test/support/notification-burst';
import { prng } from '../test/support/prng';
import { deleteRedisKeys } from '../test/support/redis';
import { Balancer } from './drill-balancer';
import { Correlator, session, SimulatedUser, simulatedPeople, type Sample } from './load-users';

const SEED = Number(process.env.DRILL_SEED ?? Date.now() % 1_000_000_007);
const KILLS = Number(process.env.DRILL_KILLS ?? 10);
const USERS = Number(process.env.DRILL_USERS ?? 10);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPLICAS = 2;
const FLOWS = 5;
/** Kills come every 1 to 3 s; the burst lasts as long as they do. */
const KILL_GAP_MS: [number, number] = [1000, 3000];
const BURST_MS = Math.max(8000, KILLS * 2000 + 2000);
/** About one transition a second per flow, as a busy team's scheduler makes. */
const RUNS_PER_FLOW = Math.max(5, Math.round(BURST_MS / 2000));
const BROWSE_FLOW = 'DrillBrowseFlow';
const BROWSE_RUNS = 20;
const ANSWER_TIMEOUT_MS = 20_000;
const CONVERGE_MS = 90_000;
const NOTIFIER: NotifierOverrides = { requestTimeoutMs: 2000, retries: 0, claimLimit: 1, leaseMs: 20_000, idleMs: 100, leaderTtlMs: 3000 };
/** A modal answer left behind by a killed replica is finished by another within about 3 s. */
const ANSWERS = { leaseMs: 2000, sweepMs: 500 };
/** The bot as `npm run build` compiled it: dist/, which holds test/support/bot.js too. */
const BUILD = join(__dirname, '..');

const random = prng(SEED);
const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo));
const out = (text = ''): void => void process.stdout.write(`${text}\n`);
const note = (text: string): void => void process.stderr.write(`${text}\n`);

interface Kill {
  at: number;
  slot: number;
  wasLeader: boolean;
  /** From the kill until the restarted replica served again. */
  restartMs: number;
}

async function main(): Promise<number> {
  const began = Date.now();
  const prefix = `metaflowbot-drill:${randomUUID()}`;
  const people = simulatedPeople(USERS);
  const fake = await startFakeSlack({
    token: TEST_BOT_TOKEN,
    users: [...DEFAULT_USERS, ...people],
    channels: [...DEFAULT_CHANNELS, ...NotificationBurst.fakeChannels('drill', FLOWS)],
    rateLimits: { 'chat.postMessage': { limit: 1, windowMs: 1000, per: 'channel' } },
  });
  const mf = await ChangingMetaflow.create([BROWSE_FLOW]);
  const state = await RedisStateStore.open(REDIS_URL, prefix);
  const balancer = await Balancer.start(REPLICAS);
  const replicas: (BotProcess | null)[] = Array.from({ length: REPLICAS }, () => null);
  // A restarted replica keeps its id, as a restarted container keeps its hostname, so it takes
  // back at once what it held when it was killed.
  const drillId = randomUUID().slice(0, 6);
  const replicaIds = Array.from({ length: REPLICAS }, (_, slot) => `drill-${slot}-${drillId}`);
  const options = (slot: number): TestBotOptions => ({
    slackApiUrl: fake.url,
    metaflowRoot: mf.root,
    pollIntervalMs: 250,
    lostAfterMs: 10 * 60 * 1000,
    state: { kind: 'redis', url: REDIS_URL, prefix },
    notifier: { ...NOTIFIER, replicaId: replicaIds[slot] },
    answers: ANSWERS,
  });
  const startReplica = async (slot: number): Promise<void> => {
    const bot = await BotProcess.start(BUILD, options(slot));
    replicas[slot] = bot;
    balancer.set(slot, `http://127.0.0.1:${bot.port}`);
  };

  try {
    out(`metaflowbot crash drill: Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${new Date().toISOString()}, seed ${SEED}`);
    out(`${REPLICAS} replicas on Redis behind a round-robin balancer; ${KILLS} SIGKILLs; ${USERS} users clicking; ${FLOWS} watched flows, ${FLOWS * RUNS_PER_FLOW} runs over ${BURST_MS / 1000} s`);
    for (let i = 0; i < BROWSE_RUNS; i++) await mf.finish(BROWSE_FLOW, await mf.appear(BROWSE_FLOW, { at: Date.now() - (BROWSE_RUNS - i) * 60_000 }));
    const burst = new NotificationBurst({ mf, fake, random, scenario: 'drill', flows: FLOWS, runsPerFlow: RUNS_PER_FLOW });
    await burst.subscribe(state);
    for (let slot = 0; slot < REPLICAS; slot++) await startReplica(slot);

    const kills: Kill[] = [];
    let chaosDone = false;
    const chaos = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await sleep(between(...KILL_GAP_MS));
        const leader = await state.leader();
        const slot = between(0, REPLICAS);
        const at = Date.now();
        await replicas[slot]?.kill();
        replicas[slot] = null;
        const wasLeader = leader === replicaIds[slot];
        await startReplica(slot);
        const kill = { at, slot, wasLeader, restartMs: Date.now() - at };
        kills.push(kill);
        note(`  kill ${k + 1}/${KILLS}: replica ${slot}${wasLeader ? ' (the leader)' : ''}, serving again after ${kill.restartMs} ms`);
      }
      chaosDone = true;
    })();

    const samples: Sample[] = [];
    const correlator = new Correlator(fake, ANSWER_TIMEOUT_MS);
    const clicking = Promise.all(
      people.map(async (user, i) => {
        const person = new SimulatedUser({ fake, correlator, baseUrl: balancer.url, signingSecret: TEST_SIGNING_SECRET, user, record: (s) => samples.push(s) });
        for (let turn = i; !chaosDone; turn += USERS) await session(person, { flow: BROWSE_FLOW, runsShown: BROWSE_RUNS }, turn, Number.MAX_SAFE_INTEGER);
      }),
    );
    const expected = await burst.run(BURST_MS);
    await chaos;
    await clicking;
    correlator.close();

    const convergeStarted = Date.now();
    while (!(burst.complete(expected) && (await state.pending()).length === 0) && Date.now() - convergeStarted < CONVERGE_MS) await sleep(200);
    const convergedMs = Date.now() - convergeStarted;
    // Anything posted late, twice, shows up in this time too.
    await sleep(2000);

    const { lost, doubled, unasked } = burst.tally(expected);
    const failed = samples.filter((s) => s.error !== null);
    const inFlightAtKill = (s: Sample): boolean => kills.some((k) => k.at >= s.sentAt && k.at <= s.sentAt + (s.error?.startsWith('no answer') ? ANSWER_TIMEOUT_MS : 3000));
    const counts = await state.counts();

    out();
    out(`kills: ${kills.length} (${kills.filter((k) => k.wasLeader).length} of the leader); a killed replica served again after ${Math.min(...kills.map((k) => k.restartMs))}–${Math.max(...kills.map((k) => k.restartMs))} ms`);
    out(`balancer: ${balancer.stats.forwarded} requests forwarded; sent on to the other replica: ${balancer.stats.failedOver} refused by a dead one, ${balancer.stats.retriedAfterReset} dropped unanswered by a dying one; ${balancer.stats.brokenInFlight} cut off mid-answer`);
    out(`notifications: ${expected.size} asked for; ${lost.length} lost, ${doubled.length} duplicated, ${unasked.length} unasked; outbox drained ${(convergedMs / 1000).toFixed(1)} s after the last kill (${JSON.stringify(counts)})`);
    out(`interactions: ${samples.length} (commands, clicks, App Home opens); ${failed.length} failed, ${failed.filter(inFlightAtKill).length} of them in flight on a replica when it was killed`);
    for (const d of doubled) out(`  duplicated: ${d[0].key}, ${d.length} copies, first at ${new Date(d[0].call.at).toISOString()}; kills at ${kills.map((k) => new Date(k.at).toISOString().slice(11, 23)).join(', ')}`);
    for (const k of lost) out(`  lost: ${k}`);
    for (const k of unasked) out(`  unasked: ${k}`);
    const kinds = new Map<string, number>();
    for (const s of failed) kinds.set(`${s.kind}: ${s.error}`, (kinds.get(`${s.kind}: ${s.error}`) ?? 0) + 1);
    for (const [what, n] of kinds) out(`  failed: ${n} × ${what}`);
    const met = lost.length === 0 && doubled.length === 0 && failed.length === 0 && unasked.length === 0;
    out(`target lost / duplicated / failed = 0 / 0 / 0: ${met ? 'met' : 'NOT met'} (${lost.length} / ${doubled.length} / ${failed.length})`);
    out(JSON.stringify({ bench: 'drill', node: process.version, cpus: cpus().length, date: new Date().toISOString(), seed: SEED, kills: kills.length, leaderKills: kills.filter((k) => k.wasLeader).length, notices: expected.size, lost: lost.length, duplicated: doubled.length, unasked: unasked.length, interactions: samples.length, failed: failed.length, failedInFlight: failed.filter(inFlightAtKill).length, balancer: balancer.stats, convergedMs, elapsedMs: Date.now() - began }));
    // Losing or inventing a notice is what the design rules out; a double or a cut-off click has a known window.
    return lost.length === 0 && unasked.length === 0 ? 0 : 1;
  } finally {
    for (const bot of replicas) await bot?.stop();
    await balancer.close();
    await state.close();
    const admin = new Redis(REDIS_URL);
    await deleteRedisKeys(admin, prefix);
    await admin.quit();
    await fake.close();
    await mf.remove();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
