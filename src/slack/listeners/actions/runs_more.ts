/** "More" under a page of runs: the next page replaces it. */
import { answering } from '../../commands';
import { runsPage } from '../../commands/runs';
import { decodeValue, runsPageValue } from '../../ids';
import type { ListenerDeps } from '../deps';
import { actionContext, type ButtonArgs } from './context';

export function runsMore(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const value = decodeValue(runsPageValue, args.action.value);
    if (!value) return;
    const ctx = actionContext(deps, args, { runs: value });
    if (!ctx) return;
    await answering(ctx, () => runsPage(value.query, value.cursor, value.offset, ctx, true));
  };
}
