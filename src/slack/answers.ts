/**
 * Answers that outlive the replica that took them. After the ack, a modal answer takes two
 * Slack calls: show a loading view, then replace it with what Metaflow holds. A replica killed
 * in between would leave the user in front of "Reading Metaflow…" for good, since Slack never
 * sends a command or a click twice. So each answer (a slash command, a click in a modal, an App
 * Home) is held in the shared state store, under a lease, until the user sees it, and every
 * replica looks now and then for answers whose lease ran out (their replica died) and finishes
 * them (`AnswerRecovery`).
 *
 * Commands and clicks in modals are held before their ack, App Home as its event arrives (Bolt acks
 * events itself; Slack sends an event again when no ack came). One gap remains: a replica
 * killed just after Slack pushed a loading view and before the new view's id was recorded; the
 * recovery then fills the view under it (docs/performance.md).
 */
import type { Logger, webApi } from '@slack/bolt';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { withPrincipal } from '../access/context';
import { resolveWithin } from '../metaflow/concurrency';
import type { PendingAnswer, StateStore } from '../state/store';
import { decodeNav, encodeNav, type Nav } from './navigation';

/**
 * Where an answer leads: a place in a modal, or a slash command. A command is held on its
 * response_url from before the ack (answered as a message if need be) until its modal is open,
 * then on the modal.
 */
export type AnswerTarget = { nav: Nav } | CommandTarget | HomeTarget;

/** A user's App Home, held on `home:<user>` while it is built and published. */
export interface HomeTarget {
  home: { channel: string | null };
}

export interface CommandTarget {
  command: string;
  channel: string;
  /** Set while the command has no modal: the answer then goes there, as a message. */
  responseUrl?: string;
}

export interface AnswerSettings {
  /** This replica's name on its leases. */
  owner: string;
  /** How long an answer may go without its replica renewing the lease before another replica finishes it. */
  leaseMs: number;
  /** How often each replica renews its own leases and looks for answers left behind; well under `leaseMs`. */
  sweepMs: number;
}

export const ANSWER_DEFAULTS = { leaseMs: 10_000, sweepMs: 2_000 } as const;

/** A modal left open this long is most likely closed: its answer is dropped, not rendered. */
const GIVE_UP_AFTER_MS = 30 * 60 * 1000;
const TAKE_AT_ONCE = 10;
/** A hold may precede an ack (3 s budget in all): it never delays it by more than this. */
const HOLD_WAIT_MS = 200;

const commandTarget = z.strictObject({
  command: z.string().max(2000),
  channel: z.string().regex(/^[A-Z0-9]{1,30}$/),
  responseUrl: z.url({ protocol: /^https?$/ }).optional(),
});

const homeTarget = z.strictObject({ home: z.strictObject({ channel: z.string().regex(/^[A-Z0-9]{1,30}$/).nullable() }) });

export function homeKey(user: string): string {
  return `home:${user}`;
}

/**
 * The key a command is held under until it has a view. Keys show in logs and response_urls are
 * credentials, so the key is a digest; the URL itself is kept only inside the held answer.
 */
export function replyKey(responseUrl: string): string {
  return `reply:${createHash('sha256').update(responseUrl).digest('hex').slice(0, 32)}`;
}

function encodeTarget(target: AnswerTarget): string | null {
  return 'nav' in target ? encodeNav(target.nav) : JSON.stringify(target);
}

/** Null for anything this version cannot read back (an older or newer bot's entry). */
export function decodeTarget(text: string): AnswerTarget | null {
  const nav = decodeNav(text);
  if (nav) return { nav };
  try {
    const json: unknown = JSON.parse(text);
    const command = commandTarget.safeParse(json);
    if (command.success) return command.data;
    const home = homeTarget.safeParse(json);
    return home.success ? home.data : null;
  } catch {
    return null;
  }
}

/** The view to replace: its id, and its hash when known (a view changed since is left alone). */
export interface HeldView {
  id: string;
  hash: string | null;
}

export class PendingAnswers {
  /** What this replica holds now: its leases are renewed while it works (`renew`). */
  private readonly mine = new Set<string>();

  constructor(
    private readonly state: StateStore,
    readonly settings: AnswerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Holds the answer to `user` in `view`. The store failing or slow (Redis away) only loses the
   * safety net, never the answer, nor more than HOLD_WAIT_MS of the ack it may precede.
   */
  async hold(view: HeldView, user: string, target: AnswerTarget, logger: Logger): Promise<void> {
    const nav = encodeTarget(target);
    if (nav === null || view.id === '') return;
    this.mine.add(view.id);
    const now = this.now();
    const write = this.state.holdAnswer({ viewId: view.id, hash: view.hash, user, nav, createdAt: now }, this.settings.owner, now + this.settings.leaseMs).then(
      () => true,
      (err: unknown) => {
        logger.warn(`Could not record the answer under way in view ${view.id}: ${(err as Error).message}`);
        return true;
      },
    );
    if ((await resolveWithin(write, HOLD_WAIT_MS)) === null) {
      logger.warn(`The state store took over ${HOLD_WAIT_MS} ms to record the answer under way in view ${view.id}; going on without waiting.`);
    }
  }

  async release(viewId: string, logger: Logger): Promise<void> {
    this.mine.delete(viewId);
    try {
      await this.state.releaseAnswer(viewId, this.settings.owner);
    } catch (err) {
      logger.warn(`Could not forget the answer under way in view ${viewId}: ${(err as Error).message}`);
    }
  }

  /**
   * Holds the answer to `user` in `view` while `work` shows it, and releases it however `work`
   * ends. `replaces`: a hold this one takes over once written (a command's, on its response_url).
   */
  async whileHeld<T>(view: HeldView, user: string, target: AnswerTarget, logger: Logger, work: () => Promise<T>, replaces: string | null = null): Promise<T> {
    await this.hold(view, user, target, logger);
    if (replaces) await this.release(replaces, logger);
    try {
      return await work();
    } finally {
      await this.release(view.id, logger);
    }
  }

  /** Extends the leases of what this replica is still working on, so that a slow answer (a backend retrying for a minute) is not taken over. */
  async renew(): Promise<void> {
    if (this.mine.size === 0) return;
    await this.state.renewAnswers(this.settings.owner, [...this.mine], this.now() + this.settings.leaseMs);
  }

  /** Answers left behind by a replica that died, now leased to this one. */
  takeOver(): Promise<PendingAnswer[]> {
    const now = this.now();
    return this.state.takeOverAnswers(this.settings.owner, now, now + this.settings.leaseMs, TAKE_AT_ONCE);
  }

  isStale(answer: PendingAnswer): boolean {
    return this.now() - answer.createdAt > GIVE_UP_AFTER_MS;
  }
}

/** Renders the answer a target leads to (listeners/surface.ts knows how). */
export type Finish = (io: { client: webApi.WebClient; logger: Logger }, view: HeldView, user: string, target: AnswerTarget) => Promise<void>;

/** Every replica runs one: it finishes, one at a time, the answers other replicas left behind. */
export class AnswerRecovery {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(
    private readonly answers: PendingAnswers,
    private readonly io: { client: webApi.WebClient; logger: Logger },
    private readonly finish: Finish,
    private readonly onRecovered: (outcome: 'finished' | 'dropped' | 'failed') => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sweeping = this.sweeping.then(() => this.sweep());
    }, this.answers.settings.sweepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /** One look: exported for tests, which drive it without waiting for the timer. */
  async sweep(): Promise<void> {
    let taken: PendingAnswer[];
    try {
      await this.answers.renew();
      taken = await this.answers.takeOver();
    } catch (err) {
      this.io.logger.warn(`Could not look for answers left behind: ${(err as Error).message}`);
      return;
    }
    for (const answer of taken) {
      const target = decodeTarget(answer.nav);
      if (target === null || this.answers.isStale(answer)) {
        this.onRecovered('dropped');
      } else {
        const channel = 'nav' in target ? target.nav.channel : 'home' in target ? target.home.channel : target.channel;
        try {
          // The same access rules as the click had: its user, in the conversation the modal came from.
          await withPrincipal({ user: answer.user, channel, groups: [] }, () => this.finish(this.io, { id: answer.viewId, hash: answer.hash }, answer.user, target));
          this.io.logger.info(`Finished the answer in view ${answer.viewId} that another replica left behind.`);
          this.onRecovered('finished');
        } catch (err) {
          this.io.logger.warn(`Could not finish the answer in view ${answer.viewId} left behind: ${(err as Error).message}`);
          this.onRecovered('failed');
        }
      }
      await this.answers.release(answer.viewId, this.io.logger);
    }
  }
}
