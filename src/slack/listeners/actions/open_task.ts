/** A task of a step: the task one level deeper. */
import type { ButtonAction } from '@slack/bolt';
import { decodeValue, taskValue } from '../../ids';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function openTask(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    const value = decodeValue(taskValue, args.action.value);
    await moveFromClick(deps, args, (from) => (value ? navigate(from, { type: 'task', task: value.task }) : null));
  };
}
