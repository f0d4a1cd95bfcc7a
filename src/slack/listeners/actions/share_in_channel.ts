/**
 * "Share in channel" under an ephemeral answer: the answer produced again from what the button
 * carries (the command line, or the page a "More" button asked for) and posted for everyone.
 * Nothing is kept between the answer and the click, so any replica can share it, after a
 * restart too, and the press's own response_url lets it work long after the command.
 */
import { replay } from '../../commands';
import { decodeValue, shareValue } from '../../ids';
import { shareReply } from '../../reply';
import type { ListenerDeps } from '../deps';
import type { ButtonArgs } from './context';

export function shareInChannel(deps: ListenerDeps) {
  return async ({ ack, action, body, respond, client, logger }: ButtonArgs): Promise<void> => {
    await ack();
    const share = decodeValue(shareValue, action.value);
    if (!share) {
      try {
        await respond({ response_type: 'ephemeral', replace_original: false, text: "I can't share that answer; ask again and share the new one." });
      } catch (err) {
        logger.error('Could not answer a share of an unreadable button:', err);
      }
      return;
    }
    const reply = shareReply({ respond, client, channel: share.channel, userId: body.user.id });
    await replay(share.replay, { deps, reply, logger, prefix: '/metaflow' });
  };
}
