/** Runs one command line: route it, run its handler, and turn any failure into an answer. */
import { failureMessage } from '../errors';
import type { Replay } from '../ids';
import { unknownCommandMessage } from '../../../views/messages/help';
import { section } from '../../../views/components/blocks';
import type { SlackMessage } from '../../../views/components/message';
import type { Reply } from '../reply';
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
import { unwatch } from './unwatch';
import { watch } from './watch';
import { watching } from './watching';

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
  watch,
  unwatch,
  watching,
};

export async function runCommand(text: string, ctx: CommandContext): Promise<void> {
  const routed = route(text);
  await answering(ctx, (paced) =>
    'unknown' in routed
      ? paced.reply.send(unknownCommandMessage(routed.unknown, routed.suggestion, paced.prefix))
      : HANDLERS[routed.command](routed.args, paced),
  );
}

/** Produces an answer again from what its share button carried. */
export async function replay(what: Replay, ctx: CommandContext): Promise<void> {
  if ('command' in what) return runCommand(what.command, ctx);
  if ('runs' in what) return answering(ctx, (paced) => runsPage(what.runs.query, what.runs.cursor, what.runs.offset, paced, false));
  return answering(ctx, (paced) => flowsPage(what.flows.offset, paced, false));
}

/** Slack shows nothing while a command is read and allows 3 seconds for a sign of life. */
export const STILL_WORKING_AFTER_MS = 2500;

const STILL_WORKING_SENTENCE = "Metaflow is slow to answer; I'm still trying and will answer here.";
const STILL_WORKING: SlackMessage = { text: STILL_WORKING_SENTENCE, blocks: [section(`:hourglass_flowing_sand: ${STILL_WORKING_SENTENCE}`)] };

/**
 * `ctx` whose reply says it is still working when nothing was sent within `afterMs` (a slow or
 * retrying backend), and holds later answers until that notice is out, so they come after it.
 */
function withStillWorkingNotice(ctx: CommandContext, afterMs: number): { paced: CommandContext; stop: () => void } {
  let notice: Promise<void> | null = null;
  const timer = setTimeout(() => {
    notice = ctx.reply.send(STILL_WORKING).catch((err: unknown) => ctx.logger.warn('Could not send the still-working notice:', err));
  }, afterMs);
  const sent = async (): Promise<void> => {
    clearTimeout(timer);
    if (notice) await notice;
  };
  const reply: Reply = {
    ...ctx.reply,
    send: async (message, options) => {
      await sent();
      await ctx.reply.send(message, options);
    },
    upload: async (file) => {
      await sent();
      await ctx.reply.upload(file);
    },
  };
  return { paced: { ...ctx, reply }, stop: () => clearTimeout(timer) };
}

/** Runs `work`, answering with a sentence when it fails, and with a notice when it is slow
 *  (`work` answers through the context it is given). If even that answer cannot be sent (an
 *  expired response_url, Slack down) there is no one left to tell, so it is logged. */
export async function answering(ctx: CommandContext, work: (paced: CommandContext) => Promise<void>, slowAfterMs = STILL_WORKING_AFTER_MS): Promise<void> {
  const { paced, stop } = withStillWorkingNotice(ctx, slowAfterMs);
  try {
    await work(paced);
  } catch (err) {
    try {
      await paced.reply.send(failureMessage(err, ctx.logger, ctx.prefix));
    } catch (sendErr) {
      ctx.logger.error('Could not send the failure answer:', sendErr);
    }
  } finally {
    stop();
  }
}
