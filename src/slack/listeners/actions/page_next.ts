/** "Next" (or "Older" in a log): the next page, in place. */
import type { ButtonAction } from '@slack/bolt';
import { decodeValue, nextPageValue } from '../../ids';
import { navigate } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

export function pageNext(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    const value = decodeValue(nextPageValue, args.action.value);
    await moveFromClick(deps, args, (from) => (value ? navigate(from, { type: 'next', cursor: value.cursor ?? null }) : null));
  };
}
