/** `version`: the bot's version and the backends it reads (never their credentials). */
import { versionMessage } from '../../../views/messages/version';
import type { CommandContext } from './context';

export async function version(_args: string, ctx: CommandContext): Promise<void> {
  await ctx.reply.send(versionMessage({ version: ctx.deps.version, backend: ctx.deps.backend }));
}
