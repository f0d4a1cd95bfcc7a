/** The command context of a button press: answer where the button was. */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { CommandContext } from '../../commands/context';
import type { Replay } from '../../ids';
import { actionReply } from '../../reply';
import type { ListenerDeps } from '../deps';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Null for a button outside a conversation (none of the bot's are). `replay` is what the
 *  button produces, for the share button of an ephemeral answer. */
export function actionContext(deps: ListenerDeps, { body, respond, client, logger }: ButtonArgs, replay: Replay): CommandContext | null {
  const container = body.container as { channel_id?: string; message_ts?: string; thread_ts?: string; is_ephemeral?: boolean };
  const channel = body.channel?.id ?? container.channel_id;
  if (!channel) return null;
  const ephemeral = container.is_ephemeral === true;
  const reply = actionReply({
    respond,
    client,
    channel,
    replay,
    ephemeral,
    messageTs: body.message?.ts ?? container.message_ts,
    threadTs: (body.message?.thread_ts as string | undefined) ?? container.thread_ts,
  });
  // Ephemeral answers come from the slash command; a DM needs no mention; a channel does.
  const prefix = ephemeral ? '/metaflow' : channel.startsWith('D') ? '' : '@metaflow';
  return { deps, reply, logger, prefix };
}
