/** "Share in channel" under an ephemeral answer: the same answer, for everyone. */
import { decodeValue, shareValue } from '../../ids';
import { sharedCopy } from '../../reply';
import type { ListenerDeps } from '../deps';
import type { ButtonArgs } from './context';

export function shareInChannel(deps: ListenerDeps) {
  return async ({ ack, action, body, respond, logger }: ButtonArgs): Promise<void> => {
    await ack();
    const id = decodeValue(shareValue, action.value)?.id;
    const message = id ? deps.shares.recall(id) : undefined;
    try {
      if (message) await respond(sharedCopy(message, body.user.id));
      else await respond({ response_type: 'ephemeral', replace_original: false, text: 'That answer is more than 30 minutes old; run the command again to share it.' });
    } catch (err) {
      logger.error('Could not share an answer:', err);
    }
  };
}
