/** Answers held while under way (src/slack/answers.ts): what is stored, what is read back, and a store that fails or hangs. */
import type { Logger } from '@slack/bolt';
import { currentPrincipal } from '../../src/access/context';
import { AnswerRecovery, decodeTarget, PendingAnswers, replyKey, type AnswerTarget } from '../../src/slack/answers';
import { rootNav } from '../../src/slack/navigation';
import { MemoryStateStore } from '../../src/state/memory';
import type { StateStore } from '../../src/state/store';

function quietLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = (): void => undefined;
  return { warnings, debug: none, info: none, warn: (...m: unknown[]) => void warnings.push(m.join(' ')), error: none, setLevel: none, getLevel: () => 'warn' as never, setName: none } as unknown as Logger & { warnings: string[] };
}

const RESPONSE_URL = 'https://hooks.slack.com/commands/T0TEAM0001/123/secretpart';
const settings = { owner: 'replica-a', leaseMs: 1000, sweepMs: 1000 };

let store: MemoryStateStore;
let now: number;

beforeEach(() => {
  store = new MemoryStateStore();
  now = 1_000_000;
});

afterEach(async () => {
  await store.close();
});

/** Holds `target`, lets the lease run out, and reads back what another replica would take over. */
async function roundTrip(target: AnswerTarget): Promise<AnswerTarget | null> {
  const answers = new PendingAnswers(store, settings, () => now);
  await answers.hold({ id: 'V1', hash: 'h1' }, 'U1', target, quietLogger());
  now += settings.leaseMs + 1;
  const [taken] = await new PendingAnswers(store, { ...settings, owner: 'replica-b' }, () => now).takeOver();
  return decodeTarget(taken.nav);
}

describe('what a held answer leads to', () => {
  it('reads back a place in a modal, a command with and without its response_url, and an App Home', async () => {
    const nav = rootNav({ kind: 'run', flow: 'FailFlow', run: '1795835906791541', page: 0 }, 'C0GENERAL1');
    expect(await roundTrip({ nav })).toEqual({ nav });
    expect(await roundTrip({ command: 'runs FailFlow', channel: 'C0GENERAL1' })).toEqual({ command: 'runs FailFlow', channel: 'C0GENERAL1' });
    expect(await roundTrip({ command: 'status', channel: 'C0GENERAL1', responseUrl: RESPONSE_URL })).toEqual({ command: 'status', channel: 'C0GENERAL1', responseUrl: RESPONSE_URL });
    expect(await roundTrip({ home: { channel: null } })).toEqual({ home: { channel: null } });
  });

  it('reads nothing from what it did not write', () => {
    for (const text of ['', 'm1{', '{}', '{"command":1,"channel":"C1"}', '{"home":{"channel":"not a channel"}}', '{"command":"x","channel":"C1","responseUrl":"javascript:alert(1)"}', 'null']) {
      expect(decodeTarget(text)).toBeNull();
    }
  });

  it('keys a command by a digest, never by its response_url', () => {
    const key = replyKey(RESPONSE_URL);
    expect(key).toMatch(/^reply:[0-9a-f]{32}$/);
    expect(key).not.toContain('secretpart');
    expect(replyKey(`${RESPONSE_URL}x`)).not.toBe(key);
  });
});

describe('a state store that fails or hangs', () => {
  it('costs the safety net, not the answer: a failing write is logged and the hold returns', async () => {
    const failing = { holdAnswer: () => Promise.reject(new Error('Redis is away')) } as unknown as StateStore;
    const logger = quietLogger();
    await new PendingAnswers(failing, settings).hold({ id: 'V1', hash: null }, 'U1', { home: { channel: null } }, logger);
    expect(logger.warnings.join('\n')).toContain('Redis is away');
  });

  it('does not wait for a write that never ends (the ack may be waiting)', async () => {
    jest.useFakeTimers();
    try {
      const hanging = { holdAnswer: () => new Promise(() => undefined) } as unknown as StateStore;
      const logger = quietLogger();
      let returned = false;
      const held = new PendingAnswers(hanging, settings).hold({ id: 'V1', hash: null }, 'U1', { home: { channel: null } }, logger).then(() => (returned = true));
      await jest.advanceTimersByTimeAsync(199);
      expect(returned).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await held;
      expect(logger.warnings.join('\n')).toContain('going on without waiting');
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('recovery', () => {
  it('drops, without rendering, an answer it cannot read or one held for over half an hour', async () => {
    const answers = new PendingAnswers(store, settings, () => now);
    await store.holdAnswer({ viewId: 'garbled', hash: null, user: 'U1', nav: 'not a target', createdAt: now }, 'dead', now + 1);
    await store.holdAnswer({ viewId: 'old', hash: null, user: 'U1', nav: JSON.stringify({ home: { channel: null } }), createdAt: now - 31 * 60 * 1000 }, 'dead', now + 1);
    now += 2;
    const finished: string[] = [];
    const outcomes: string[] = [];
    const recovery = new AnswerRecovery(answers, { client: {} as never, logger: quietLogger() }, async (_io, view) => void finished.push(view.id), (o) => outcomes.push(o));
    await recovery.sweep();
    expect(finished).toEqual([]);
    expect(outcomes).toEqual(['dropped', 'dropped']);
    expect(await store.takeOverAnswers('check', now + 3_600_000, now + 7_200_000, 10)).toEqual([]);
  });

  it('finishes an answer once, under the principal of the user who asked, and lets it go even when finishing fails', async () => {
    const answers = new PendingAnswers(store, settings, () => now);
    await answers.hold({ id: 'V1', hash: 'h1' }, 'U1', { command: 'runs', channel: 'C0GENERAL1' }, quietLogger());
    await answers.hold({ id: 'V2', hash: 'h2' }, 'U2', { home: { channel: null } }, quietLogger());
    now += settings.leaseMs + 1;
    const outcomes: string[] = [];
    const seen: string[] = [];
    const recovery = new AnswerRecovery(
      new PendingAnswers(store, { ...settings, owner: 'replica-b' }, () => now),
      { client: {} as never, logger: quietLogger() },
      async (_io, view, user) => {
        const principal = currentPrincipal();
        seen.push(`${view.id} ${view.hash} ${user} ${principal?.user}/${principal?.channel}`);
        if (view.id === 'V2') throw new Error('Slack is away');
      },
      (o) => outcomes.push(o),
    );
    await recovery.sweep();
    await recovery.sweep();
    expect(seen.sort()).toEqual(['V1 h1 U1 U1/C0GENERAL1', 'V2 h2 U2 U2/null']);
    expect(outcomes.sort()).toEqual(['failed', 'finished']);
  });
});

it('keeps a slow answer with its live replica: its sweeps renew the lease, so no other replica takes it over', async () => {
  const mine = new PendingAnswers(store, settings, () => now);
  await mine.hold({ id: 'V1', hash: null }, 'U1', { home: { channel: null } }, quietLogger());
  const sweeps = new AnswerRecovery(mine, { client: {} as never, logger: quietLogger() }, async () => undefined);
  const other = new PendingAnswers(store, { ...settings, owner: 'replica-b' }, () => now);
  for (let i = 0; i < 5; i++) {
    now += settings.leaseMs / 2;
    await sweeps.sweep();
    expect(await other.takeOver()).toEqual([]);
  }
  // Once it stops renewing (it died), the other replica takes the answer over.
  now += settings.leaseMs + 1;
  expect((await other.takeOver()).map((a) => a.viewId)).toEqual(['V1']);
});
