/** `/metaflow <text>`: acknowledged at once (Slack gives 3 seconds), answered ephemerally once
 *  Metaflow has been read. */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { runCommand } from '../../commands';
import { slashReply } from '../../reply';
import type { ListenerDeps } from '../deps';

export function metaflow(deps: ListenerDeps) {
  return async ({ command, ack, respond, client, logger }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const reply = slashReply({ respond, client, channel: command.channel_id, shares: deps.shares });
    await runCommand(command.text ?? '', { deps, reply, logger, prefix: command.command });
  };
}
