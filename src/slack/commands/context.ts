/** What a command handler gets: the bot's dependencies and where to answer. */
import type { Logger } from '@slack/bolt';
import { currentPrincipal } from '../../access/context';
import type { SlackDeps } from '../deps';
import type { Reply } from '../reply';

export interface CommandContext {
  deps: SlackDeps;
  reply: Reply;
  logger: Logger;
  /** How commands are typed where the answer appears (`/metaflow`, `@metaflow`, or empty in a
   *  direct message), so that help and hints show something the user can type. */
  prefix: string;
}

export type CommandHandler = (args: string, ctx: CommandContext) => Promise<void>;

/** The run a conversation is about: a thread's own, else its channel's, so a thread started
 *  under `@metaflow use …` keeps that run. */
export async function currentRun(ctx: CommandContext): Promise<string | null> {
  const key = ctx.reply.conversation;
  const own = await ctx.deps.state.currentRun(key);
  if (own !== null || !key.thread) return own;
  return ctx.deps.state.currentRun({ channel: key.channel });
}

/** Sets the conversation's run, and the asking user's own (where their "Inspect a run…" starts). */
export async function setCurrentRun(ctx: CommandContext, pathspec: string): Promise<void> {
  const user = currentPrincipal()?.user ?? null;
  await Promise.all([ctx.deps.state.setCurrentRun(ctx.reply.conversation, pathspec), user ? ctx.deps.state.setUserCurrentRun(user, pathspec) : undefined]);
}
