/** "Show full value" on a task's artifact: the value, a page at a time. */
import type { ButtonAction } from '@slack/bolt';
import { artifactValue, decodeValue } from '../../ids';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function openArtifact(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    const value = decodeValue(artifactValue, args.action.value);
    await moveFromClick(deps, args, (from) => (value ? navigate(from, { type: 'artifact', name: value.name }) : null));
  };
}
