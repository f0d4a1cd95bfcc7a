/** A task's stdout (from the task, or from its stderr). */
import type { ButtonAction } from '@slack/bolt';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function openStdout(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    await moveFromClick(deps, args, (from) => navigate(from, { type: 'logs', stream: 'stdout' }));
  };
}
