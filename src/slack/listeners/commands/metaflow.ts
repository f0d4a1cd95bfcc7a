/**
 * `/metaflow <text>`: acknowledged at once (Slack gives 3 seconds). `runs` and `inspect` open a
 * modal (loading first: the trigger_id lives 3 seconds too); everything else, and those two
 * when the modal cannot open, is answered ephemerally once Metaflow has been read.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { runCommand } from '../../commands';
import { inspectLocation, runsLocation } from '../../commands/open';
import { route } from '../../commands/router';
import { screen } from '../../commands/screens';
import { failureMessage } from '../../errors';
import { rootNav, type Location } from '../../navigation';
import { slashReply } from '../../reply';
import { errorView } from '../../../../views/modals/error';
import { loadingView } from '../../../../views/modals/loading';
import { replyKey } from '../../answers';
import type { ListenerDeps } from '../deps';
import { afterAck, openModal, screenContext, type SurfaceIO } from '../surface';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** The place a modal command opens at, read from Metaflow when the query needs it. */
function modalPlace(text: string, deps: ListenerDeps, channel: string): (() => Promise<Location>) | null {
  const routed = route(text);
  if ('unknown' in routed) return null;
  if (routed.command === 'runs') return async () => runsLocation(routed.args);
  if (routed.command === 'inspect') return () => inspectLocation(routed.args, deps, channel);
  return null;
}

/** The modal `text` opens, once Metaflow is read; null for a command that answers with a message. */
export function commandModal(text: string, prefix: string, deps: ListenerDeps, channel: string, user: string, io: SurfaceIO): (() => Promise<ModalView>) | null {
  const place = modalPlace(text, deps, channel);
  if (!place) return null;
  return async () => {
    try {
      return await screen(rootNav(await place(), channel), screenContext(deps, user, io));
    } catch (err) {
      return errorView({ failure: failureMessage(err, io.logger, prefix), at: null, metadata: '', pushed: false });
    }
  };
}

export function metaflow(deps: ListenerDeps) {
  return async ({ command, ack, respond, client, logger }: CommandArgs): Promise<void> => {
    const text = command.text ?? '';
    const channel = command.channel_id;
    const user = command.user_id;
    const io = { client, logger };
    // Held before the ack: from here on, a replica that dies leaves the command to another (answers.ts).
    const held = typeof command.response_url === 'string' && command.response_url !== '' ? replyKey(command.response_url) : null;
    try {
      if (held) await deps.answers.hold({ id: held, hash: null }, user, { command: text, channel, responseUrl: command.response_url }, logger);
    } finally {
      await ack();
    }
    await afterAck();
    try {
      const load = command.trigger_id ? commandModal(text, command.command, deps, channel, user, io) : null;
      if (load) {
        const answering = { deps, user, target: { command: text, channel }, replaces: held };
        if (await openModal(io, command.trigger_id, loadingView({ at: null, pushed: false }), load, answering)) return;
      }
      const reply = slashReply({ respond, client, channel, replay: { command: text } });
      await runCommand(text, { deps, reply, logger, prefix: command.command });
    } finally {
      if (held) await deps.answers.release(held, logger);
    }
  };
}
