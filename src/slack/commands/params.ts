/** `params [query]`: the run's parameters. */
import { paramsMessage } from '../../../views/messages/params';
import type { CommandContext } from './context';
import { runTarget } from './target';

export async function params(args: string, ctx: CommandContext): Promise<void> {
  const target = await runTarget(args, ctx, 'params');
  if (!target) return;
  const { run } = target;
  const parameters = await ctx.deps.client.getParameters(run.flow, run.id);
  await ctx.reply.send(paramsMessage({ run, parameters, uiUrl: ctx.deps.uiUrl, prefix: ctx.prefix }));
}
