/** The status filter of the runs modal. */
import type { StaticSelectAction } from '@slack/bolt';
import type { RunStatus } from '../../../metaflow/model';
import { ANY, selectedValue } from '../../ids';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

const STATUSES: readonly string[] = ['running', 'successful', 'failed', 'lost'] satisfies RunStatus[];

export function runsStatus(deps: ListenerDeps) {
  return async (args: ClickArgs<StaticSelectAction>): Promise<void> => {
    const value = selectedValue(args.action);
    const status = value === ANY ? null : STATUSES.includes(value) ? (value as RunStatus) : undefined;
    await moveFromClick(deps, args, (from) => (status === undefined ? null : navigate(from, { type: 'filter', filter: { status } })));
  };
}
