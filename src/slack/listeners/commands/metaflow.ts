/**
 * `/metaflow <text>`: acknowledged at once (Slack gives 3 seconds). `runs` and `inspect` open a
 * modal (loading first: the trigger_id lives 3 seconds too); everything else, and those two
 * when the modal cannot open, is answered ephemerally once Metaflow has been read.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { runCommand } from '../../commands';
import { inspectLocation, runsLocation } from '../../commands/open';
import { route } from '../../commands/router';
import { screen } from '../../commands/screens';
import { failureMessage } from '../../errors';
import { rootNav, type Location } from '../../navigation';
import { slashReply } from '../../reply';
import { errorView } from '../../../../views/modals/error';
import { loadingView } from '../../../../views/modals/loading';
import type { ListenerDeps } from '../deps';
import { openModal, screenContext } from '../surface';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** The place a modal command opens at, read from Metaflow when the query needs it. */
function modalPlace(text: string, deps: ListenerDeps, channel: string): (() => Promise<Location>) | null {
  const routed = route(text);
  if ('unknown' in routed) return null;
  if (routed.command === 'runs') return async () => runsLocation(routed.args);
  if (routed.command === 'inspect') return () => inspectLocation(routed.args, deps, channel);
  return null;
}

export function metaflow(deps: ListenerDeps) {
  return async ({ command, ack, respond, client, logger }: CommandArgs): Promise<void> => {
    await ack();
    const text = command.text ?? '';
    const channel = command.channel_id;
    const place = command.trigger_id ? modalPlace(text, deps, channel) : null;
    if (place) {
      const io = { client, logger };
      const opened = await openModal(io, command.trigger_id, loadingView({ at: null, pushed: false }), async () => {
        try {
          return await screen(rootNav(await place(), channel), screenContext(deps, command.user_id, io));
        } catch (err) {
          return errorView({ failure: failureMessage(err, logger, command.command), at: null, metadata: '', pushed: false });
        }
      });
      if (opened) return;
    }
    const reply = slashReply({ respond, client, channel, replay: { command: text } });
    await runCommand(text, { deps, reply, logger, prefix: command.command });
  };
}
