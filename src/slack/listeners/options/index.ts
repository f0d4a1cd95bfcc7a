import type { App } from '@slack/bolt';
import { ACTION } from '../../ids';
import type { ListenerDeps } from '../deps';
import { runsFlowOptions } from './runs_flow';

export function register(app: App, deps: ListenerDeps): void {
  app.options({ action_id: ACTION.runsFlow, type: 'block_suggestion' }, runsFlowOptions(deps));
}
