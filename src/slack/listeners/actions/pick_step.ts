/** The step picker of a run: the step one level deeper. */
import type { StaticSelectAction } from '@slack/bolt';
import { selectedValue } from '../../ids';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function pickStep(deps: ListenerDeps) {
  return async (args: ClickArgs<StaticSelectAction>): Promise<void> => {
    const step = selectedValue(args.action);
    await moveFromClick(deps, args, (from) => (step === '' ? null : navigate(from, { type: 'step', step })));
  };
}
