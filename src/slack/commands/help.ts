/** `help [topic]`, `how to <topic>`, and a bare `/metaflow`. */
import { helpTopicFor } from '../../../views/help';
import { helpMessage, unknownTopicMessage } from '../../../views/messages/help';
import type { CommandContext } from './context';

export async function help(args: string, ctx: CommandContext): Promise<void> {
  const topic = helpTopicFor(args);
  await ctx.reply.send(topic ? helpMessage(topic, ctx.prefix) : unknownTopicMessage(args, ctx.prefix));
}
