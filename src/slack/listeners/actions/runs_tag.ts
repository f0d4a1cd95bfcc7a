/** The tag filter of the runs modal: any tag, or one of the flow's recent tags (a query's
 *  several tags stay as they are). */
import type { StaticSelectAction } from '@slack/bolt';
import { ANY, KEEP_TAGS, selectedValue, TAG_OPTION_PREFIX } from '../../ids';
import { navigate, type RunFilter } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { moveFromClick, type ClickArgs } from '../surface';

function filterOf(value: string): Partial<RunFilter> | null {
  if (value === ANY) return { tags: [] };
  if (value === KEEP_TAGS) return {};
  return value.startsWith(TAG_OPTION_PREFIX) ? { tags: [value.slice(TAG_OPTION_PREFIX.length)] } : null;
}

export function runsTag(deps: ListenerDeps) {
  return async (args: ClickArgs<StaticSelectAction>): Promise<void> => {
    const filter = filterOf(selectedValue(args.action));
    await moveFromClick(deps, args, (from) => (filter === null ? null : navigate(from, { type: 'filter', filter })));
  };
}
