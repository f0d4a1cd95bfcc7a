/** "Previous" (or "Newer" in a log): the page before, in place. */
import type { ButtonAction } from '@slack/bolt';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function pagePrevious(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    await moveFromClick(deps, args, (from) => navigate(from, { type: 'previous' }));
  };
}
