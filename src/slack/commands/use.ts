/** `use <query>`: sets the run this conversation is about. */
import { helpMessage } from '../../../views/messages/help';
import { nowUsingMessage } from '../../../views/messages/use';
import { setCurrentRun, type CommandContext } from './context';
import { runTarget } from './target';

export async function use(args: string, ctx: CommandContext): Promise<void> {
  if (args === '') return ctx.reply.send(helpMessage('use', ctx.prefix));
  const target = await runTarget(args, ctx, 'use');
  if (!target) return;
  await setCurrentRun(ctx, target.run.pathspec);
  await ctx.reply.send(nowUsingMessage(target.run, ctx.deps.uiUrl, ctx.prefix));
}
