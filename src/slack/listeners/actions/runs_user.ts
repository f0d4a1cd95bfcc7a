/** The user filter of the runs modal: anyone, mine, or a user of the flow's recent runs. */
import type { StaticSelectAction } from '@slack/bolt';
import { ANY, selectedValue, USER_OPTION_PREFIX } from '../../ids';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function runsUser(deps: ListenerDeps) {
  return async (args: ClickArgs<StaticSelectAction>): Promise<void> => {
    const value = selectedValue(args.action);
    const user = value === ANY ? null : value.startsWith(USER_OPTION_PREFIX) ? value.slice(USER_OPTION_PREFIX.length) : undefined;
    await moveFromClick(deps, args, (from) => (user === undefined ? null : navigate(from, { type: 'filter', filter: { user } })));
  };
}
