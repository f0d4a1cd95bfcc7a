/** The footer of an ephemeral answer, and the note on a shared copy. Both fit in the room the
 *  builders keep free (budget.ts BODY_BUDGET). */
import { ACTION, BLOCK, encodeValue, shareValue } from '../../src/slack/ids';
import { actions, context } from './blocks';
import type { SlackBlock } from './message';

export function shareFooter(id: string): SlackBlock {
  const value = encodeValue(shareValue, { id }) ?? undefined;
  return actions([{ text: 'Share in channel', actionId: ACTION.shareInChannel, value }], BLOCK.share);
}

export function sharedBy(userId: string): SlackBlock {
  return context(`Shared by <@${userId}>`);
}
