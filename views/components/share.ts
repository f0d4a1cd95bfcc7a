/** The footer of an ephemeral answer, and the note on a shared copy. Both fit in the room the
 *  builders keep free (budget.ts BODY_BUDGET). */
import { ACTION, BLOCK, encodeValue, shareValue, type Replay } from '../../src/slack/ids';
import { actions, context } from './blocks';
import type { SlackBlock } from './message';

/** The button carries how to produce the answer again, not the answer; without room for that
 *  in a button value (a command line of thousands of characters) there is no button. */
export function shareFooter(replay: Replay, channel: string): SlackBlock[] {
  const value = encodeValue(shareValue, { replay, channel });
  return value ? [actions([{ text: 'Share in channel', actionId: ACTION.shareInChannel, value }], BLOCK.share)] : [];
}

export function sharedBy(userId: string): SlackBlock {
  return context(`Shared by <@${userId}>`);
}
