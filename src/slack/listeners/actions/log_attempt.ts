/** The attempt picker of the logs view. */
import type { StaticSelectAction } from '@slack/bolt';
import { selectedValue } from '../../ids';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function logAttempt(deps: ListenerDeps) {
  return async (args: ClickArgs<StaticSelectAction>): Promise<void> => {
    const value = selectedValue(args.action);
    const attempt = /^\d{1,4}$/.test(value) ? Number(value) : null;
    await moveFromClick(deps, args, (from) => (attempt === null ? null : navigate(from, { type: 'attempt', attempt })));
  };
}
