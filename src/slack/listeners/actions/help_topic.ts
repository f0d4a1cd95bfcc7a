/** A topic button on the help overview: that topic's help. */
import { runCommand } from '../../commands';
import { helpTopicOf } from '../../ids';
import type { ListenerDeps } from '../deps';
import { actionContext, type ButtonArgs } from './context';

export function helpTopic(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const command = `help ${helpTopicOf(args.action.action_id)}`;
    const ctx = actionContext(deps, args, { command });
    if (!ctx) return;
    await runCommand(command, ctx);
  };
}
