/** The flow picker of the runs modal: that flow's runs, in place. */
import type { ExternalSelectAction } from '@slack/bolt';
import { selectedValue } from '../../ids';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function runsFlow(deps: ListenerDeps) {
  return async (args: ClickArgs<ExternalSelectAction>): Promise<void> => {
    const flow = selectedValue(args.action);
    await moveFromClick(deps, args, (from) => (flow ? navigate(from, { type: 'flow', flow }) : null));
  };
}
