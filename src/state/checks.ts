/** Input rules and orderings both backends apply the same way. */
import { TRANSITIONS, type Subscription } from './store';

function checkSubscription(sub: Subscription): void {
  if (sub.events.length === 0) throw new RangeError(`subscription ${sub.id}: no events`);
  for (const event of sub.events) {
    if (!TRANSITIONS.includes(event)) throw new RangeError(`subscription ${sub.id}: unknown event ${JSON.stringify(event)}`);
  }
}

export function checkClaim(limit: number, leaseMs: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`claim limit must be a positive integer, not ${limit}`);
  if (!(leaseMs > 0)) throw new RangeError(`lease must be positive, not ${leaseMs} ms`);
}

/** What makes two subscriptions "the same": `subscribe` replaces on equal filters. */
export function subscriptionFilters(sub: Subscription): [string, string, string] {
  return [sub.user ?? '', sub.tag ?? '', sub.project ?? ''];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortSubscriptions(subs: Subscription[]): Subscription[] {
  return subs.sort((a, b) => compare(a.channel, b.channel) || compare(a.flow, b.flow) || a.createdAt - b.createdAt || compare(a.id, b.id));
}

type Unfiltered = Omit<Subscription, 'user' | 'tag' | 'project'>;

/** Empty filters are absent ones, so a stored subscription reads back without them. */
export function subscriptionOf(fields: Unfiltered, [user, tag, project]: [string, string, string]): Subscription {
  const { id, channel, flow, events, createdBy, createdAt } = fields;
  return { id, channel, flow, events: [...new Set(events)], ...(user ? { user } : {}), ...(tag ? { tag } : {}), ...(project ? { project } : {}), createdBy, createdAt };
}

/** The stored form: known fields only, no empty filters. */
export function normalSubscription(sub: Subscription): Subscription {
  checkSubscription(sub);
  return subscriptionOf(sub, subscriptionFilters(sub));
}
