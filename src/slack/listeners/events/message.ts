/** A direct message to the bot. Edits, joins and other subtypes are not requests, and other
 *  bots' messages are ignored so that two bots never answer each other forever. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../deps';
import { answerMessage } from './conversation';

export function message(deps: ListenerDeps) {
  return async ({ event, client, logger, context }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    if (event.channel_type !== 'im' || event.subtype !== undefined || event.bot_id !== undefined) return;
    await answerMessage(
      deps,
      { channel: event.channel, ts: event.ts, threadTs: event.thread_ts, text: event.text ?? '' },
      { client, logger, botUserId: context.botUserId, prefix: '' },
    );
  };
}
