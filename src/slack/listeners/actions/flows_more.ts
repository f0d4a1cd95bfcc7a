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
    const ctx = actionContext(deps, args);
    if (!value || !ctx) return;
    await answering(ctx, () => flowsPage(value.offset, ctx, true));
  };
}
