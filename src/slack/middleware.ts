/**
 * A global Bolt middleware: every Slack request gets a request id, one structured log line
 * when it is done, and its count and latency in /metrics, labelled by what it was. Its ack
 * latency is timed by `timeAcks`.
 */
import { randomUUID } from 'node:crypto';
import type { AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import { withPrincipal } from '../access/context';
import { resolveWithin } from '../metaflow/concurrency';
import type { Principal } from '../access/policy';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { decodeNav } from './navigation';

interface Described {
  kind: string;
  name: string;
  id: string;
}

/** Names bounded in number (command verbs, action ids), so metric labels stay few. */
export function describeRequest(body: Record<string, unknown>): Described {
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  if (typeof body.command === 'string') {
    const verb = str(body.text).trim().split(/\s+/)[0]?.toLowerCase() || 'help';
    return { kind: 'command', name: `${body.command} ${/^[a-z-]{1,20}$/.test(verb) ? verb : 'other'}`, id: str(body.trigger_id) };
  }
  if (body.type === 'event_callback') {
    const event = (body.event ?? {}) as Record<string, unknown>;
    return { kind: 'event', name: str(event.type) || 'unknown', id: str(body.event_id) };
  }
  if (body.type === 'block_actions') {
    const action = ((body.actions as unknown[]) ?? [])[0] as Record<string, unknown> | undefined;
    return { kind: 'action', name: str(action?.action_id) || 'unknown', id: str(body.trigger_id) };
  }
  if (body.type === 'block_suggestion') return { kind: 'options', name: str(body.action_id) || 'unknown', id: '' };
  if (body.type === 'view_submission' || body.type === 'view_closed') {
    const view = (body.view ?? {}) as Record<string, unknown>;
    return { kind: 'view', name: str(view.callback_id) || 'unknown', id: str(body.trigger_id) };
  }
  return { kind: str(body.type) || 'unknown', name: 'unknown', id: '' };
}

export function observe(logger: Logger, metrics: Metrics): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const what = describeRequest(body as unknown as Record<string, unknown>);
    const requestId = what.id ? what.id.slice(-24) : randomUUID();
    context.requestId = requestId;
    const log = logger.child({ requestId, kind: what.kind, name: what.name, team: context.teamId, user: context.userId });
    context.log = log;
    const end = metrics.requestSeconds.startTimer({ kind: what.kind, name: what.name });
    const started = Date.now();
    try {
      await next();
      metrics.requests.inc({ kind: what.kind, name: what.name, outcome: 'ok' });
      log.info({ ms: Date.now() - started }, 'slack request handled');
    } catch (err) {
      metrics.requests.inc({ kind: what.kind, name: what.name, outcome: 'error' });
      log.error({ ms: Date.now() - started, err }, 'slack request failed');
      throw err;
    } finally {
      end();
    }
  };
}

type ReceiverEvent = Parameters<App['processEvent']>[0];

/**
 * Ack latency of every request, in HTTP and Socket Mode alike: from the receiver handing it to
 * Bolt to the ack. Timed where receivers hand requests over rather than in a middleware,
 * because Bolt acks events before any middleware runs, and a middleware cannot replace the
 * `ack` the listeners are given.
 */
export function timeAcks(app: App, metrics: Metrics): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event: ReceiverEvent) => {
    const { kind } = describeRequest((event.body ?? {}) as Record<string, unknown>);
    const end = metrics.ackSeconds.startTimer({ kind });
    let acked = false;
    const ack: ReceiverEvent['ack'] = (response) => {
      if (!acked) end();
      acked = true;
      return event.ack(response);
    };
    return processEvent({ ...event, ack });
  };
}

/** Who is asking and where, from any kind of Slack payload. */
export function principalOf(body: Record<string, unknown>): Principal {
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const event = obj(body.event);
  const user = str(body.user_id) ?? str(obj(body.user).id) ?? str(event.user) ?? str(body.user);
  // A modal keeps the conversation it was opened from in its private_metadata (set by the bot,
  // returned by Slack unchanged), so clicks inside it stay under that channel's access rules.
  const channel =
    str(body.channel_id) ?? str(obj(body.channel).id) ?? str(obj(body.container).channel_id) ?? str(event.channel) ?? decodeNav(str(obj(body.view).private_metadata))?.channel ?? null;
  return { user, channel, groups: [] };
}

/** Runs the rest of the request inside its principal, for the access-guarded client. */
export function principalScope(): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => withPrincipal(principalOf(body as unknown as Record<string, unknown>), () => next());
}

/**
 * The requests whose listeners are still at work. Slack is answered (acked) first, so a stop
 * that only closed the server would cut answers short; `drain` lets them finish.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  middleware(): Middleware<AnyMiddlewareArgs> {
    return async ({ next }) => {
      const work = next();
      this.running.add(work);
      try {
        await work;
      } finally {
        this.running.delete(work);
      }
    };
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves when every listener at work now has finished, or after `timeoutMs`; true if all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    return (await resolveWithin(Promise.allSettled([...this.running]), timeoutMs)) !== null;
  }
}
