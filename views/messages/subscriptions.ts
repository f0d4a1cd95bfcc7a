/** `watch`, `unwatch` and `watching`: what a channel hears about, said back to it. */
import type { Subscription, Transition } from '../../src/state/store';
import { escapeMrkdwn } from '../limits';
import { context, section } from '../components/blocks';
import { BODY_BUDGET, packLines, remaining } from '../components/budget';
import { code, command, plural, slackDate } from '../components/format';
import type { SlackMessage } from '../components/message';

const WORDS: Readonly<Record<Transition, string>> = {
  started: 'started',
  failed: 'failed',
  successful: 'successful',
  lost: 'lost',
};

/** In the order a run goes through them, whatever order they were typed in. */
function eventsText(events: readonly Transition[]): string {
  const order: Transition[] = ['started', 'failed', 'successful', 'lost'];
  return order.filter((e) => events.includes(e)).map((e) => WORDS[e]).join(', ');
}

/** ` · runs by alice · tagged `nightly` · project `fraud``, or nothing without filters. */
function filtersText(sub: Subscription): string {
  const parts: string[] = [];
  if (sub.user !== undefined) parts.push(`runs by ${code(sub.user, 100)}`);
  if (sub.tag !== undefined) parts.push(`tagged ${code(sub.tag, 100)}`);
  if (sub.project !== undefined) parts.push(`project ${code(sub.project, 100)}`);
  return parts.map((p) => `  ·  ${p}`).join('');
}

export interface SubscribedInput {
  sub: Subscription;
  /** No events were named, so the defaults apply: say so, and how to choose. */
  defaulted: boolean;
  /** It replaced a subscription with the same filters. */
  replaced: boolean;
  /** The request came from a slash command, which works in channels the bot is not in. */
  inviteHint: boolean;
  prefix: string;
}

export function subscribedMessage({ sub, defaulted, replaced, inviteHint, prefix }: SubscribedInput): SlackMessage {
  const flow = escapeMrkdwn(sub.flow);
  const first = `:bell: This channel now hears about *${flow}* runs: ${eventsText(sub.events)}${filtersText(sub)}.${replaced ? ' (This replaces the subscription with the same filters.)' : ''}`;
  const notes: string[] = [];
  if (defaulted) {
    notes.push(`${eventsText(sub.events)} are the default events; choose others with ${code(command(prefix, `watch ${sub.flow} on started,failed,successful,lost`))}.`);
  }
  if (inviteHint) notes.push(`I post them here, so I must be a member of this channel: ${code('/invite @metaflow')} if I am not.`);
  notes.push(`${code(command(prefix, `unwatch ${sub.flow}`))} stops them; ${code(command(prefix, 'watching'))} lists this channel's subscriptions.`);
  return { text: `This channel now hears about ${sub.flow} runs: ${eventsText(sub.events)}.`, blocks: [section(first), context(...notes)] };
}

export interface UnsubscribedInput {
  flow: string;
  removed: number;
  /** The flows the channel watches, when it did not watch `flow`. */
  watched: string[];
  /** The watched flow closest to `flow`, if any. */
  suggestion: string | null;
  prefix: string;
}

export function unsubscribedMessage({ flow, removed, watched, suggestion, prefix }: UnsubscribedInput): SlackMessage {
  const name = escapeMrkdwn(flow);
  if (removed > 0) {
    const which = removed === 1 ? 'its subscription' : `its ${plural(removed, 'subscription')}`;
    return { text: `This channel no longer hears about ${flow} runs.`, blocks: [section(`:no_bell: This channel no longer hears about *${name}* runs (${which} removed).`)] };
  }
  const guess = suggestion ? ` Did you mean ${code(command(prefix, `unwatch ${suggestion}`))}?` : '';
  const others = watched.length > 0 ? `It watches ${watched.map((f) => `*${escapeMrkdwn(f)}*`).join(', ')}.` : 'It watches no flows.';
  return { text: `This channel does not watch ${flow}.`, blocks: [section(`This channel does not watch *${name}*.${guess}\n${others}`)] };
}

/** A Slack user id as a mention; anything else (a subscription made outside Slack) as text. */
function who(user: string): string {
  return /^[UW][A-Z0-9]+$/.test(user) ? `<@${user}>` : escapeMrkdwn(user);
}

function subscriptionLine(sub: Subscription): string {
  return `• *${escapeMrkdwn(sub.flow)}*: ${eventsText(sub.events)}${filtersText(sub)}  ·  since ${slackDate(sub.createdAt)}, by ${who(sub.createdBy)}`;
}

export function subscriptionsMessage(subs: readonly Subscription[], prefix: string): SlackMessage {
  if (subs.length === 0) {
    return {
      text: 'This channel watches no flows.',
      blocks: [section(`This channel watches no flows. ${code(command(prefix, 'watch HelloFlow'))} tells it when HelloFlow runs fail or are lost.`)],
    };
  }
  const head = section(`:bell: This channel hears about ${plural(subs.length, 'subscription')}:`);
  const foot = context(`${code(command(prefix, 'unwatch <flow>'))} stops one flow's notifications.`);
  const lines = packLines(subs.map(subscriptionLine), remaining(BODY_BUDGET, [head, foot]), (n) => `… and ${plural(n, 'more')}`);
  return { text: `This channel has ${plural(subs.length, 'subscription')}.`, blocks: [head, ...lines.blocks, foot] };
}
