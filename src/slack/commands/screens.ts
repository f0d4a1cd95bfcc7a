/**
 * What a modal shows for each place in Metaflow (navigation.ts `Location`): the reads it needs,
 * then the pure builder in views/modals. A failure becomes a view that says what went wrong and
 * leads back; nothing here talks to Slack.
 */
import type { Logger } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { TaskRef } from '../../metaflow/client';
import { LogCursorError } from '../../metaflow/logtail';
import type { Run } from '../../metaflow/model';
import type { SlackDeps } from '../deps';
import { failureMessage } from '../errors';
import { encodeNav, FIRST_PAGE, type Location, type Nav } from '../navigation';
import { errorMessage } from '../../../views/messages/error';
import type { Frame } from '../../../views/components/modal';
import { artifactView, previewLengthFor } from '../../../views/modals/artifact';
import { errorView } from '../../../views/modals/error';
import { inspectQueryView } from '../../../views/modals/inspect';
import { logsView, PAGE_LINES } from '../../../views/modals/logs';
import { runView } from '../../../views/modals/run';
import { FLOWS_PAGE, flowsView, RECENT_TAGS_MAX, RECENT_USERS_MAX, RUNS_PAGE, runsView, type RecentValues } from '../../../views/modals/runs';
import { stepView, TASKS_PAGE } from '../../../views/modals/step';
import { taskView } from '../../../views/modals/task';
import { latestRuns } from './runs';

/** Runs read to offer users and tags as filters: recent enough to be what people look for. */
const RECENT_RUNS = 100;

export interface ScreenContext {
  deps: SlackDeps;
  logger: Logger;
  /** The viewer's Metaflow user, for "Mine"; read only by the views that offer it. */
  me: () => Promise<string | null>;
  /** The run the viewer last chose with `use`, anywhere: where "Inspect a run…" starts. */
  lastUsed: () => Promise<string | null>;
}

type At<K extends Location['kind']> = Extract<Location, { kind: K }>;

function taskRef(at: { flow: string; run: string; step: string; task: string }): TaskRef {
  return { flow: at.flow, run: at.run, step: at.step, task: at.task };
}

function recentValues(runs: readonly Run[]): RecentValues {
  const users = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    if (run.user !== null && users.size < RECENT_USERS_MAX) users.add(run.user);
    for (const tag of run.tags) if (tags.size < RECENT_TAGS_MAX) tags.add(tag);
  }
  return { users: [...users], tags: [...tags] };
}

async function render(nav: Nav, frame: Frame, ctx: ScreenContext, notice: string | undefined): Promise<ModalView> {
  const { client, uiUrl } = ctx.deps;
  const at = nav.at;
  switch (at.kind) {
    case 'inspect':
      return inspectQueryView(frame, await ctx.lastUsed());
    case 'flows': {
      const flows = await client.listFlows();
      const entries = await latestRuns(client, flows.slice(at.page * FLOWS_PAGE, (at.page + 1) * FLOWS_PAGE));
      return flowsView({ at, frame, entries, total: flows.length, uiUrl });
    }
    case 'runs': {
      const { user, tags, status } = at.filter;
      const [page, recent, me] = await Promise.all([
        client.listRuns(at.flow, {
          user: user ?? undefined,
          tags: tags.length > 0 ? tags : undefined,
          status: status ? [status] : undefined,
          limit: RUNS_PAGE,
          cursor: at.paging.cursor,
        }),
        client.listRuns(at.flow, { limit: RECENT_RUNS }),
        ctx.me(),
      ]);
      return runsView({ at, frame, page, recent: recentValues(recent.items), me, uiUrl });
    }
    case 'run':
      return runView({ at, frame, run: await client.getRunDetail(at.flow, at.run), uiUrl });
    case 'step': {
      const [run, step, tasks] = await Promise.all([
        client.getRun(at.flow, at.run),
        client.getStep(at.flow, at.run, at.step),
        client.listTasks(at.flow, at.run, at.step, { limit: TASKS_PAGE, cursor: at.paging.cursor, problemsFirst: true }),
      ]);
      return stepView({ at, frame, run, step, tasks });
    }
    case 'task': {
      const ref = taskRef(at);
      const task = await client.getTask(at.flow, at.run, at.step, at.task);
      const [exception, artifacts] = await Promise.all([task.status === 'failed' ? client.taskException(ref) : null, client.listArtifacts(ref)]);
      return taskView({ at, frame, task, exception, artifacts, notice });
    }
    case 'artifact': {
      const artifact = await client.getArtifact(taskRef(at), at.name, { previewLength: previewLengthFor(at.page) });
      return artifactView({ at, frame, artifact, taskPathspec: `${at.flow}/${at.run}/${at.step}/${at.task}`, notice });
    }
    case 'logs':
      return logs(nav, at, frame, ctx, notice);
  }
}

async function logs(nav: Nav, at: At<'logs'>, frame: Frame, ctx: ScreenContext, notice: string | undefined): Promise<ModalView> {
  const { client } = ctx.deps;
  try {
    const [task, page] = await Promise.all([
      client.getTask(at.flow, at.run, at.step, at.task),
      client.readLog(taskRef(at), { stream: at.stream, attempt: at.attempt ?? undefined, limit: PAGE_LINES, before: at.paging.cursor }),
    ]);
    return logsView({ at, frame, task, attempt: page.attempt, lines: page.lines, older: page.older, notice });
  } catch (err) {
    // The log files changed under the cursor (a task still writing, another attempt): start
    // again from the end rather than fail.
    if (!(err instanceof LogCursorError) || at.paging.page === 0) throw err;
    return screen({ ...nav, at: { ...at, paging: FIRST_PAGE } }, ctx, 'That log position is gone; this is the end of the log again.');
  }
}

/** The view of `nav`: the place itself, or why it cannot be shown, with a way back. */
export async function screen(nav: Nav, ctx: ScreenContext, notice?: string): Promise<ModalView> {
  const pushed = nav.depth > 1;
  const metadata = encodeNav(nav);
  if (metadata === null) {
    const failure = errorMessage('That is too long to show in a view.', 'Try a shorter query, or fewer tags.');
    return errorView({ failure, at: null, metadata: '', pushed });
  }
  try {
    return await render(nav, { metadata, pushed }, ctx, notice);
  } catch (err) {
    return errorView({ failure: failureMessage(err, ctx.logger, '/metaflow'), at: nav.at, metadata, pushed });
  }
}
