/** Runs one command line: route it, run its handler, and turn any failure into an answer. */
import { failureMessage } from '../errors';
import type { Replay } from '../ids';
import { unknownCommandMessage } from '../../../views/messages/help';
import type { CommandContext, CommandHandler } from './context';
import { data } from './data';
import { exportRun } from './export';
import { help } from './help';
import { inspect } from './inspect';
import { logs } from './logs';
import { params } from './params';
import { route, type CommandName } from './router';
import { flowsPage, runs, runsPage } from './runs';
import { status } from './status';
import { use } from './use';
import { version } from './version';

const HANDLERS: Readonly<Record<CommandName, CommandHandler>> = {
  help,
  runs,
  inspect,
  use,
  status,
  params,
  export: exportRun,
  data,
  logs,
  version,
};

export async function runCommand(text: string, ctx: CommandContext): Promise<void> {
  const routed = route(text);
  await answering(ctx, () =>
    'unknown' in routed
      ? ctx.reply.send(unknownCommandMessage(routed.unknown, routed.suggestion, ctx.prefix))
      : HANDLERS[routed.command](routed.args, ctx),
  );
}

/** Produces an answer again from what its share button carried. */
export async function replay(what: Replay, ctx: CommandContext): Promise<void> {
  if ('command' in what) return runCommand(what.command, ctx);
  if ('runs' in what) return answering(ctx, () => runsPage(what.runs.query, what.runs.cursor, what.runs.offset, ctx, false));
  return answering(ctx, () => flowsPage(what.flows.offset, ctx, false));
}

/** Runs `work`, answering with a sentence when it fails. If even that answer cannot be sent
 *  (an expired response_url, Slack down) there is no one left to tell, so it is logged. */
export async function answering(ctx: CommandContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    try {
      await ctx.reply.send(failureMessage(err, ctx.logger, ctx.prefix));
    } catch (sendErr) {
      ctx.logger.error('Could not send the failure answer:', sendErr);
    }
  }
}
