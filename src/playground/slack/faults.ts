/** Failures on demand (`failNext`) and Slack-like rate limits for the fake Web API. */
import type { Params, Reply } from './http';

export interface Failure {
  /** HTTP status; 429 answers like Slack's rate limiter. Default 200 (an `ok: false` body). */
  status?: number;
  /** Seconds for the `Retry-After` header of a 429; default 1. */
  retryAfter?: number;
  /** The `error` code; default `ratelimited` for 429, `internal_error` for other statuses. */
  error?: string;
  /** How many of the next calls fail this way; default 1. */
  times?: number;
}

export interface RateLimit {
  /** Calls allowed per window. */
  limit: number;
  windowMs: number;
  /** An argument that splits the budget, e.g. `channel` for chat.postMessage's 1/s per channel. */
  per?: string;
}

function failureReply(f: Failure): Reply {
  if (f.status === 429) {
    return { status: 429, headers: { 'retry-after': String(f.retryAfter ?? 1) }, body: { ok: false, error: f.error ?? 'ratelimited' } };
  }
  const status = f.status ?? 200;
  return { status, body: { ok: false, error: f.error ?? (status === 200 ? 'fatal_error' : 'internal_error') } };
}

export class Faults {
  private readonly queued = new Map<string, Failure[]>();
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    private readonly rateLimits: Readonly<Record<string, RateLimit>>,
  ) {}

  failNext(method: string, failure: Failure): void {
    const queue = this.queued.get(method) ?? [];
    for (let i = 0; i < (failure.times ?? 1); i += 1) queue.push(failure);
    this.queued.set(method, queue);
  }

  /** An injected failure queued for this method. */
  injected(method: string): Reply | undefined {
    const failure = this.queued.get(method)?.shift();
    return failure && failureReply(failure);
  }

  /** A 429 when this call goes over the method's rate limit; otherwise the call is counted. */
  throttled(method: string, params: Params): Reply | undefined {
    const rule = this.rateLimits[method];
    if (!rule) return undefined;
    const key = `${method}\u0000${rule.per ? String(params[rule.per] ?? '') : ''}`;
    const now = this.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < rule.windowMs);
    this.hits.set(key, recent);
    if (recent.length >= rule.limit) {
      const retryAfter = Math.max(1, Math.ceil((recent[0] + rule.windowMs - now) / 1000));
      return failureReply({ status: 429, retryAfter });
    }
    recent.push(now);
    return undefined;
  }
}
