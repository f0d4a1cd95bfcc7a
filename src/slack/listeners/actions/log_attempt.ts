/** The attempt picker of the logs view. */
import type { StaticSelectAction } from '@slack/bolt';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function logAttempt(deps: ListenerDeps) {
  return async (args: ClickArgs<StaticSelectAction>): Promise<void> => {
    // A payload Slack would never send must not throw before the ack (moveFromClick acks).
    const value = String(args.action.selected_option?.value ?? '');
    const attempt = /^\d{1,4}$/.test(value) ? Number(value) : null;
    await moveFromClick(deps, args, (from) => (attempt === null ? null : navigate(from, { type: 'attempt', attempt })));
  };
}
