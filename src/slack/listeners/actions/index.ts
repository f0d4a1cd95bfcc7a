import type { App, BlockAction, ButtonAction, ExternalSelectAction, StaticSelectAction } from '@slack/bolt';
import { ACTION, HELP_TOPIC_ACTION } from '../../ids';
import type { ListenerDeps } from '../deps';
import { flowsMore } from './flows_more';
import { helpTopic } from './help_topic';
import { homeBrowseRuns } from './home_browse_runs';
import { homeInspectRun } from './home_inspect_run';
import { homeRefresh } from './home_refresh';
import { inspectRun } from './inspect_run';
import { logAttempt } from './log_attempt';
import { navBack } from './nav_back';
import { openArtifact } from './open_artifact';
import { openInUi } from './open_in_ui';
import { openStderr } from './open_stderr';
import { openStdout } from './open_stdout';
import { openTask } from './open_task';
import { pageNext } from './page_next';
import { pagePrevious } from './page_previous';
import { pickFlow } from './pick_flow';
import { pickRun } from './pick_run';
import { pickStep } from './pick_step';
import { runsFlow } from './runs_flow';
import { runsMore } from './runs_more';
import { runsStatus } from './runs_status';
import { runsTag } from './runs_tag';
import { runsUser } from './runs_user';
import { shareInChannel } from './share_in_channel';
import { uploadArtifact } from './upload_artifact';
import { uploadLog } from './upload_log';

export function register(app: App, deps: ListenerDeps): void {
  // Messages.
  app.action<BlockAction<ButtonAction>>(ACTION.shareInChannel, shareInChannel(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.pickRun, pickRun(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.runsMore, runsMore(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.flowsMore, flowsMore(deps));
  app.action<BlockAction<ButtonAction>>(HELP_TOPIC_ACTION, helpTopic(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.openInUi, openInUi);

  // Modals.
  app.action<BlockAction<ExternalSelectAction>>(ACTION.runsFlow, runsFlow(deps));
  app.action<BlockAction<StaticSelectAction>>(ACTION.runsUser, runsUser(deps));
  app.action<BlockAction<StaticSelectAction>>(ACTION.runsTag, runsTag(deps));
  app.action<BlockAction<StaticSelectAction>>(ACTION.runsStatus, runsStatus(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.pickFlow, pickFlow(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.inspectRun, inspectRun(deps));
  app.action<BlockAction<StaticSelectAction>>(ACTION.pickStep, pickStep(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.openTask, openTask(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.openArtifact, openArtifact(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.openStdout, openStdout(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.openStderr, openStderr(deps));
  app.action<BlockAction<StaticSelectAction>>(ACTION.logAttempt, logAttempt(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.uploadLog, uploadLog(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.uploadArtifact, uploadArtifact(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.pagePrevious, pagePrevious(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.pageNext, pageNext(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.back, navBack(deps));

  // App Home.
  app.action<BlockAction<ButtonAction>>(ACTION.homeBrowse, homeBrowseRuns(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.homeInspect, homeInspectRun(deps));
  app.action<BlockAction<ButtonAction>>(ACTION.homeRefresh, homeRefresh(deps));
}
