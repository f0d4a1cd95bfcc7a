/** "More flows" under a page of flows: the next page replaces it. */
import { answering } from '../../commands';
import { flowsPage } from '../../commands/runs';
import { decodeValue, flowsPageValue } from '../../ids';
import type { ListenerDeps } from '../deps';
import { actionContext, type ButtonArgs } from './context';

export function flowsMore(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const value = decodeValue(flowsPageValue, args.action.value);
    if (!value) return;
    const ctx = actionContext(deps, args, { flows: value });
    if (!ctx) return;
    await answering(ctx, () => flowsPage(value.offset, ctx, true));
  };
}
