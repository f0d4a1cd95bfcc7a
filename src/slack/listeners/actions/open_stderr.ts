/** A task's stderr (from the task, or from its stdout). */
import type { ButtonAction } from '@slack/bolt';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function openStderr(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    await moveFromClick(deps, args, (from) => navigate(from, { type: 'logs', stream: 'stderr' }));
  };
}
