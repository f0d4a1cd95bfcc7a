/** A failure: one sentence on what went wrong, one on what to try next. */
import { escapeMrkdwn } from '../limits';
import { section } from '../components/blocks';
import type { SlackMessage } from '../components/message';

/** `sentence` is plain text (escaped here); `next` is mrkdwn the caller built. */
export function errorMessage(sentence: string, next: string): SlackMessage {
  const said = escapeMrkdwn(sentence);
  return { text: said, blocks: [section(`:warning: ${said}\n${next}`)] };
}
