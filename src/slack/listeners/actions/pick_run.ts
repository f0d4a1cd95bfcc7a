/** A run button in a list (several matches, runs, flows): runs the command it carries on it. */
import { runCommand } from '../../commands';
import { decodeValue, pickRunValue } from '../../ids';
import type { ListenerDeps } from '../deps';
import { actionContext, type ButtonArgs } from './context';

export function pickRun(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const value = decodeValue(pickRunValue, args.action.value);
    if (!value) return;
    const command = `${value.command} ${value.query}`;
    const ctx = actionContext(deps, args, { command });
    if (!ctx) return;
    await runCommand(command, ctx);
  };
}
