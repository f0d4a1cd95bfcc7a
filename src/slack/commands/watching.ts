/** `watching`: the flows this channel hears about, with their events and filters. */
import { subscriptionsMessage } from '../../../views/messages/subscriptions';
import type { CommandContext } from './context';

export async function watching(_args: string, ctx: CommandContext): Promise<void> {
  const subs = await ctx.deps.state.subscriptions(ctx.reply.conversation.channel);
  await ctx.reply.send(subscriptionsMessage(subs, ctx.prefix));
}
