/** A message to the bot (a mention or a direct message) runs like the slash command, and the
 *  answer goes to its thread: a top-level message starts one. */
import type { Logger, webApi } from '@slack/bolt';
import { runCommand } from '../../commands';
import { threadReply } from '../../reply';
import type { ListenerDeps } from '../deps';

export interface IncomingMessage {
  channel: string;
  ts: string;
  threadTs: string | undefined;
  text: string;
}

/** `<@U123>` and `<@U123|name>`: the bot's own mention is not part of the command. */
function withoutMention(text: string, botUserId: string | undefined): string {
  const mention = botUserId ? new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g') : /^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>/;
  return text.replace(mention, ' ').trim();
}

export async function answerMessage(
  deps: ListenerDeps,
  incoming: IncomingMessage,
  io: { client: webApi.WebClient; logger: Logger; botUserId: string | undefined; prefix: string },
): Promise<void> {
  const { channel, ts, threadTs } = incoming;
  const reply = threadReply({
    client: io.client,
    channel,
    thread: threadTs ?? ts,
    // A top-level message speaks for its channel (or DM); a reply for its thread.
    conversation: threadTs ? { channel, thread: threadTs } : { channel },
  });
  await runCommand(withoutMention(incoming.text, io.botUserId), { deps, reply, logger: io.logger, prefix: io.prefix });
}
