import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ACTION, HELP_TOPIC_ACTION } from '../../ids';
import type { ListenerDeps } from '../deps';
import { flowsMore } from './flows_more';
import { helpTopic } from './help_topic';
import { openInUi } from './open_in_ui';
import { pickRun } from './pick_run';
import { runsMore } from './runs_more';
import { shareInChannel } from './share_in_channel';

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.shareInChannel, shareInChannel(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.pickRun, pickRun(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.runsMore, runsMore(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.flowsMore, flowsMore(deps));
  app.action<BlockAction<ButtonAction>>(HELP_TOPIC_ACTION, helpTopic(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.openInUi, openInUi);
}
