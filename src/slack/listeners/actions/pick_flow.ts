/** A flow in the flow list: its runs, in place. */
import type { ButtonAction } from '@slack/bolt';
import { decodeValue, flowValue } from '../../ids';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function pickFlow(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    const value = decodeValue(flowValue, args.action.value);
    await moveFromClick(deps, args, (from) => (value ? navigate(from, { type: 'flow', flow: value.flow }) : null));
  };
}
