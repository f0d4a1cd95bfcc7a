/** `unwatch <Flow>`: this channel stops hearing about the flow, whatever the filters. */
import { suggestName } from '../../metaflow/runspec';
import { helpMessage } from '../../../views/messages/help';
import { unsubscribedMessage } from '../../../views/messages/subscriptions';
import { code, command } from '../../../views/components/format';
import { UsageError } from '../errors';
import type { CommandContext } from './context';

export async function unwatch(args: string, ctx: CommandContext): Promise<void> {
  const words = args.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return ctx.reply.send(helpMessage('watch', ctx.prefix));
  if (words.length > 1) {
    throw new UsageError('unwatch takes one flow name.', `For example ${code(command(ctx.prefix, 'unwatch HelloFlow'))}: it removes all of this channel's subscriptions to it.`);
  }
  const [flow] = words;
  const { channel } = ctx.reply.conversation;
  // No check that the flow exists: a flow deleted since must still be unwatchable.
  const removed = await ctx.deps.state.unsubscribe(channel, flow);
  const watched = removed > 0 ? [] : [...new Set((await ctx.deps.state.subscriptions(channel)).map((s) => s.flow))];
  await ctx.reply.send(unsubscribedMessage({ flow, removed, watched, suggestion: suggestName(flow, watched), prefix: ctx.prefix }));
}
