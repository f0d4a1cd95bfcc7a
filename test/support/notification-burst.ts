/**
 * A burst of run transitions in a changing `.metaflow` folder, and the notices the fake Slack
 * accepted for it: what the crash test (test/e2e/notify-crash.test.ts) and the crash drill
 * (bench/drill.ts) both measure.
 *
 *   const burst = new NotificationBurst({ mf, fake, random: prng(seed), scenario: 'sqlite', flows: 5, runsPerFlow: 5 });
 *   await burst.subscribe(state);                  // channel i watches flow i; one more watches failures of 0 and 1
 *   const expected = await burst.run(8000);         // keys `channel Flow/run transition`
 *   const { lost, doubled } = burst.tally(expected);
 */
import { randomUUID } from 'node:crypto';
import { METADATA_EVENT } from '../../src/notify/poster';
import type { StateStore, Transition } from '../../src/state/store';
import type { FakeChannel, FakeSlack, FakeSlackCall } from './fake-slack';
import type { ChangingMetaflow } from './changing-metaflow';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Notice {
  key: string;
  channel: string;
  run: string;
  call: FakeSlackCall;
}

export interface BurstOptions {
  mf: ChangingMetaflow;
  fake: FakeSlack;
  random: () => number;
  /** Names this burst's flows and channels, so several bursts share one fake Slack. */
  scenario: string;
  flows: number;
  runsPerFlow: number;
}

export class NotificationBurst {
  readonly flows: string[];
  /** Channel i watches flow i on every event. */
  readonly channels: string[];
  /** Watches flows 0 and 1 for failures only, so a failure there is told in two channels. */
  readonly failuresChannel: string;

  constructor(private readonly o: BurstOptions) {
    this.flows = Array.from({ length: o.flows }, (_, i) => `Crash${o.scenario}Flow${i}`);
    this.channels = this.flows.map((_, i) => NotificationBurst.channelId(o.scenario, i));
    this.failuresChannel = NotificationBurst.channelId(o.scenario, o.flows);
  }

  static channelId(scenario: string, i: number): string {
    return `C0${scenario.toUpperCase().slice(0, 3)}${String(i).padStart(5, '0')}`;
  }

  /** The channels a fake Slack must know for `flows` flows of `scenario`. */
  static fakeChannels(scenario: string, flows: number): FakeChannel[] {
    return Array.from({ length: flows + 1 }, (_, i) => ({ id: NotificationBurst.channelId(scenario, i), name: `${scenario.toLowerCase()}-${i}` }));
  }

  get allChannels(): string[] {
    return [...this.channels, this.failuresChannel];
  }

  /** Creates the flows and writes the subscriptions straight into the bot's state. */
  async subscribe(state: StateStore): Promise<void> {
    for (const flow of this.flows) await this.o.mf.addFlow(flow);
    const now = Date.now();
    const all: Transition[] = ['started', 'failed', 'successful', 'lost'];
    for (const [i, flow] of this.flows.entries()) {
      await state.subscribe({ id: randomUUID(), channel: this.channels[i], flow, events: all, createdBy: 'U0ALICE001', createdAt: now });
    }
    for (const flow of this.flows.slice(0, 2)) {
      await state.subscribe({ id: randomUUID(), channel: this.failuresChannel, flow, events: ['failed'], createdBy: 'U0ALICE001', createdAt: now });
    }
  }

  /** Every run appears, then fails or finishes, at random moments within `durationMs`.
   *  Returns the notices the subscriptions ask for, as `channel Flow/run transition`. */
  async run(durationMs: number): Promise<Set<string>> {
    const between = (lo: number, hi: number): number => lo + Math.floor(this.o.random() * (hi - lo));
    interface Step {
      at: number;
      run: number;
      does: 'appear' | 'failed' | 'successful';
    }
    const steps: Step[] = [];
    const runs = this.o.flows * this.o.runsPerFlow;
    for (let run = 0; run < runs; run++) {
      const appear = between(0, durationMs - 1500);
      steps.push({ at: appear, run, does: 'appear' }, { at: appear + between(300, 1500), run, does: this.o.random() < 0.5 ? 'failed' : 'successful' });
    }
    steps.sort((a, b) => a.at - b.at);
    const ids = new Map<number, string>();
    const expected = new Set<string>();
    const started = Date.now();
    for (const step of steps) {
      await sleep(step.at - (Date.now() - started));
      const flowIndex = step.run % this.o.flows;
      const flow = this.flows[flowIndex];
      const channel = this.channels[flowIndex];
      if (step.does === 'appear') {
        const id = await this.o.mf.appear(flow);
        ids.set(step.run, id);
        expected.add(`${channel} ${flow}/${id} started`);
        continue;
      }
      const id = ids.get(step.run)!;
      if (step.does === 'failed') await this.o.mf.fail(flow, id);
      else await this.o.mf.finish(flow, id);
      expected.add(`${channel} ${flow}/${id} ${step.does}`);
      if (step.does === 'failed' && flowIndex < 2) expected.add(`${this.failuresChannel} ${flow}/${id} failed`);
    }
    return expected;
  }

  /** Every notice Slack accepted in this burst's channels, in the order it arrived. */
  notices(): Notice[] {
    const channels = this.allChannels;
    return this.o.fake.callsTo('chat.postMessage').flatMap((call) => {
      const metadata = call.params.metadata as { event_type?: string; event_payload?: { run: string; transition: string } } | undefined;
      const channel = String(call.params.channel);
      if (metadata?.event_type !== METADATA_EVENT || !channels.includes(channel) || (call.response as { ok?: boolean }).ok !== true) return [];
      const { run, transition } = metadata.event_payload!;
      return [{ key: `${channel} ${run} ${transition}`, channel, run, call }];
    });
  }

  /** Lost: asked for and never shown. Doubled: shown more than once. Unasked: shown, never asked for. */
  tally(expected: Set<string>): { byKey: Map<string, Notice[]>; lost: string[]; doubled: Notice[][]; unasked: string[] } {
    const byKey = new Map<string, Notice[]>();
    for (const n of this.notices()) byKey.set(n.key, [...(byKey.get(n.key) ?? []), n]);
    return {
      byKey,
      lost: [...expected].filter((k) => !byKey.has(k)),
      doubled: [...byKey.values()].filter((copies) => copies.length > 1),
      unasked: [...byKey.keys()].filter((k) => !expected.has(k)),
    };
  }

  /** Whether every expected notice is shown. */
  complete(expected: Set<string>): boolean {
    const seen = new Set(this.notices().map((n) => n.key));
    return [...expected].every((k) => seen.has(k));
  }
}
