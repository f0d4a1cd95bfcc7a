/**
 * One watcher for all replicas: a lock in the state store with an expiry. The leader renews it
 * every ttl/3; a renewal that fails (expired, taken over, or the store unreachable) stops its
 * watcher at once. The others try to take the lock every ttl/10, so a dead leader is replaced
 * within ttl + ttl/10 of its last renewal (27.5 s with the default 25 s).
 *
 * Two leaders at once (one whose renewals stalled past the ttl, e.g. a paused process) cost
 * only work: both enqueue the same keys, and the outbox keeps the first.
 */
import type { Logger } from '../observability/logger';
import type { StateStore } from '../state/store';
import { Loop } from './loop';

export interface LeadershipOptions {
  state: StateStore;
  owner: string;
  ttlMs: number;
  logger: Logger;
  onElected: () => void;
  /** Resolves once the leader's work has stopped, before the lock is released. */
  onDeposed: () => Promise<void>;
}

export class Leadership {
  private leading = false;
  private readonly loop: Loop;

  constructor(private readonly opts: LeadershipOptions) {
    this.loop = new Loop(
      () => this.round(),
      (err) => {
        opts.logger.warn({ err }, 'leader lock: the state store failed; trying again');
        return this.followMs;
      },
    );
  }

  private get renewMs(): number {
    return Math.floor(this.opts.ttlMs / 3);
  }

  private get followMs(): number {
    return Math.floor(this.opts.ttlMs / 10);
  }

  start(): void {
    this.loop.start();
  }

  private async round(): Promise<number> {
    const { state, owner, ttlMs, logger } = this.opts;
    if (this.leading) {
      const held = await state.renewLeadership(owner, ttlMs).catch((err: unknown) => {
        logger.warn({ err }, 'leader lock: renewal failed');
        return false;
      });
      if (held) return this.renewMs;
      this.leading = false;
      logger.warn('leader lock lost: stopping the run watcher');
      await this.opts.onDeposed();
      return this.followMs;
    }
    if (!(await state.acquireLeadership(owner, ttlMs))) return this.followMs;
    this.leading = true;
    logger.info('leader lock taken: watching runs');
    this.opts.onElected();
    return this.renewMs;
  }

  /** Hands the lock over at once, rather than making the next leader wait for its expiry. */
  async stop(): Promise<void> {
    await this.loop.stop();
    if (!this.leading) return;
    this.leading = false;
    await this.opts.onDeposed();
    await this.opts.state.releaseLeadership(this.opts.owner).catch((err: unknown) => {
      this.opts.logger.warn({ err }, 'leader lock: release failed; it expires on its own');
    });
  }
}
