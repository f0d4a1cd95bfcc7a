/** `@metaflow <command>` in a channel or a thread. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../deps';
import { answerMessage } from './conversation';

export function appMention(deps: ListenerDeps) {
  return async ({ event, client, logger, context }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs): Promise<void> => {
    await answerMessage(
      deps,
      { channel: event.channel, ts: event.ts, threadTs: event.thread_ts, text: event.text },
      { client, logger, botUserId: context.botUserId, prefix: '@metaflow' },
    );
  };
}
