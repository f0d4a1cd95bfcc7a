/**
 * `watch <Flow> [on <events>] [user:<u>] [tag:<t>] [project:<p>]`: this channel hears about
 * the flow's runs (src/notify posts them). Only the bot's own state changes; Metaflow is read.
 */
import { randomUUID } from 'node:crypto';
import { currentPrincipal, withPrincipal } from '../../access/context';
import { isFlowName, isUserName } from '../../metaflow/runspec/names';
import { suggestName } from '../../metaflow/runspec';
import { TRANSITIONS, type Subscription, type Transition } from '../../state/store';
import { helpMessage } from '../../../views/messages/help';
import { subscribedMessage } from '../../../views/messages/subscriptions';
import { code, command } from '../../../views/components/format';
import { UsageError } from '../errors';
import type { CommandContext } from './context';

/** What most channels want: to hear when something needs attention, not every start. */
const DEFAULT_EVENTS: readonly Transition[] = ['failed', 'lost'];

const EVENT_WORDS: Readonly<Record<string, readonly Transition[]>> = {
  started: ['started'],
  start: ['started'],
  starts: ['started'],
  failed: ['failed'],
  fail: ['failed'],
  fails: ['failed'],
  failure: ['failed'],
  failures: ['failed'],
  successful: ['successful'],
  success: ['successful'],
  succeeded: ['successful'],
  finished: ['successful'],
  lost: ['lost'],
  all: TRANSITIONS,
};

const FILTERS = ['user', 'tag', 'project'] as const;
type Filter = (typeof FILTERS)[number];

export interface WatchRequest {
  flow: string;
  /** Null when none were named: the defaults apply. */
  events: Transition[] | null;
  user?: string;
  tag?: string;
  project?: string;
}

function syntax(prefix: string): string {
  return `For example ${code(command(prefix, 'watch HelloFlow'))} or ${code(command(prefix, 'watch HelloFlow on failed,successful user:alice tag:nightly'))}.`;
}

function eventsOf(words: string[], prefix: string): Transition[] {
  const events = new Set<Transition>();
  for (const word of words.flatMap((w) => w.split(',')).filter((w) => w !== '')) {
    const lower = word.toLowerCase();
    const known = Object.hasOwn(EVENT_WORDS, lower) ? EVENT_WORDS[lower] : undefined;
    if (!known) {
      const near = suggestName(word, [...TRANSITIONS]);
      throw new UsageError(
        `"${word}" is not an event I can watch.${near ? ` Did you mean ${near}?` : ''}`,
        `The events are ${TRANSITIONS.map((t) => code(t)).join(', ')} (or ${code('all')}), e.g. ${code(command(prefix, 'watch HelloFlow on failed,lost'))}.`,
      );
    }
    for (const event of known) events.add(event);
  }
  if (events.size === 0) throw new UsageError('"on" needs the events to watch.', syntax(prefix));
  return [...events];
}

/** Throws UsageError, with the right form, for anything it cannot read. */
export function parseWatch(args: string, prefix: string): WatchRequest {
  const words = args.split(/\s+/).filter((w) => w !== '');
  const [flow, ...rest] = words;
  if (flow === undefined || flow.toLowerCase() === 'on' || flow.includes(':')) throw new UsageError('watch needs a flow name first.', syntax(prefix));
  if (!isFlowName(flow)) throw new UsageError(`"${flow}" is not a flow name.`, syntax(prefix));
  const request: WatchRequest = { flow, events: null };
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i];
    if (word.toLowerCase() === 'on') {
      if (request.events !== null) throw new UsageError('Name the events once, after "on".', syntax(prefix));
      const listed: string[] = [];
      while (i + 1 < rest.length && !rest[i + 1].includes(':') && rest[i + 1].toLowerCase() !== 'on') listed.push(rest[++i]);
      request.events = eventsOf(listed, prefix);
      continue;
    }
    const colon = word.indexOf(':');
    const name = word.slice(0, colon).toLowerCase() as Filter;
    const value = word.slice(colon + 1);
    if (colon <= 0 || !FILTERS.includes(name)) {
      throw new UsageError(`I can't read "${word}" here.`, `After the flow come ${code('on <events>')}, ${code('user:<name>')}, ${code('tag:<tag>')} and ${code('project:<name>')}. ${syntax(prefix)}`);
    }
    if (value === '') throw new UsageError(`${name}: needs a value, e.g. ${name}:${name === 'user' ? 'alice' : name === 'tag' ? 'nightly' : 'fraud'}.`, syntax(prefix));
    if (request[name] !== undefined) throw new UsageError(`Only one ${name}: filter, please.`, 'A run must match every filter; subscribe again for another one.');
    if (name === 'user' && !isUserName(value)) throw new UsageError(`"${value}" is not a Metaflow user name.`, `Name the user as Metaflow records it (its ${code('user:')} tag), e.g. ${code('user:alice')}.`);
    request[name] = value;
  }
  return request;
}

export async function watch(args: string, ctx: CommandContext): Promise<void> {
  if (args.trim() === '') return ctx.reply.send(helpMessage('watch', ctx.prefix));
  const request = parseWatch(args, ctx.prefix);
  const { channel } = ctx.reply.conversation;
  // Refuses a flow that does not exist or the asker may not see, with "did you mean"; then
  // checks the channel alone, as the notices will be: everyone in it reads them.
  const flow = await ctx.deps.client.getFlow(request.flow);
  await withPrincipal({ user: null, channel, groups: [] }, () => ctx.deps.client.getFlow(flow.name));
  const sub: Subscription = {
    id: randomUUID(),
    channel,
    flow: flow.name,
    events: request.events ?? [...DEFAULT_EVENTS],
    ...(request.user !== undefined ? { user: request.user } : {}),
    ...(request.tag !== undefined ? { tag: request.tag } : {}),
    ...(request.project !== undefined ? { project: request.project } : {}),
    createdBy: currentPrincipal()?.user ?? 'unknown',
    createdAt: Date.now(),
  };
  const replaced = await ctx.deps.state.subscribe(sub);
  await ctx.reply.send(
    subscribedMessage({
      sub,
      defaulted: request.events === null,
      replaced: replaced !== null,
      // A slash command works where the bot is not a member; posting there would not.
      inviteHint: ctx.prefix.startsWith('/') && !channel.startsWith('D'),
      prefix: ctx.prefix,
    }),
  );
}
