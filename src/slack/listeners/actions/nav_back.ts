/** "← Back": one level up, in place, whatever path led here (the view may be a third one
 *  updated in place, whose Slack "Back" would skip levels). */
import type { ButtonAction } from '@slack/bolt';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function navBack(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    await moveFromClick(deps, args, (from) => navigate(from, { type: 'back' }));
  };
}
