/** trigger_ids: single use, valid for a few seconds after Slack sent the interaction. */
import { randomBytes } from 'node:crypto';

export interface TriggerOptions {
  /** The view the interaction came from; views.push stacks onto that view's modal. */
  viewId?: string;
  /** Lifetime; default the fake's `triggerTtlMs` (3 s, like Slack). */
  ttlMs?: number;
}

export interface Trigger {
  id: string;
  issuedAt: number;
  ttlMs: number;
  viewId?: string;
  used: boolean;
}

export type Exchange = { trigger: Trigger } | { error: 'invalid_trigger_id' | 'exchanged_trigger_id' | 'expired_trigger_id' };

export class TriggerIds {
  private readonly triggers = new Map<string, Trigger>();
  private seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly defaultTtlMs: number,
  ) {}

  mint(options: TriggerOptions = {}): string {
    this.seq += 1;
    const issuedAt = this.now();
    // Slack's look like 13345224609.738474920.8088930838d88f008e0
    const id = `${Math.floor(issuedAt / 1000)}.${this.seq}.${randomBytes(10).toString('hex')}`;
    this.triggers.set(id, { id, issuedAt, ttlMs: options.ttlMs ?? this.defaultTtlMs, viewId: options.viewId, used: false });
    return id;
  }

  /** Spends a trigger, or says why it cannot be spent. */
  exchange(id: unknown): Exchange {
    const trigger = typeof id === 'string' ? this.triggers.get(id) : undefined;
    if (!trigger) return { error: 'invalid_trigger_id' };
    if (trigger.used) return { error: 'exchanged_trigger_id' };
    if (this.now() - trigger.issuedAt > trigger.ttlMs) return { error: 'expired_trigger_id' };
    trigger.used = true;
    return { trigger };
  }
}
