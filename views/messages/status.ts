/** `status`: whether a run is still going and, when it stopped, when and how. */
import type { Run, Step, Task, TaskException } from '../../src/metaflow/model';
import { ACTION } from '../../src/slack/ids';
import { escapeMrkdwn } from '../limits';
import { actions, context, section } from '../components/blocks';
import { BODY_BUDGET, packLines, remaining } from '../components/budget';
import { code, command, formatDuration, plural, slackDate } from '../components/format';
import type { SlackBlock, SlackMessage } from '../components/message';
import { runLink, uiRunUrl } from '../components/run';
import { statusEmoji } from '../components/status';
import { exceptionBlock, exceptionType } from './step';

export interface ActiveStep {
  step: Step;
  /** Its running tasks (a first page). */
  tasks: Task[];
}

export interface Failure {
  step: string;
  task: string | null;
  exception: TaskException | null;
}

export interface StatusInput {
  run: Run;
  /** Steps that have started, in DAG order. */
  steps: Step[];
  /** Running only: the steps in progress. */
  active: ActiveStep[];
  /** Failed only: where it failed. */
  failure: Failure | null;
  uiUrl: string | null;
  prefix: string;
}

/** At most 20 step names: a list is there to orient, the overview has them all. */
function names(steps: readonly Step[]): string {
  const shown = steps.slice(0, 20).map((s) => `\`${escapeMrkdwn(s.name)}\``).join(', ');
  return steps.length > 20 ? `${shown} and ${steps.length - 20} more` : shown;
}

function headline({ run, failure, uiUrl }: StatusInput): string {
  const name = runLink(run, run.pathspec, uiUrl);
  const emoji = statusEmoji(run.status);
  switch (run.status) {
    case 'running':
      return `${emoji} ${name} is running: started ${slackDate(run.createdAt)}, ${formatDuration(run.durationMs)} so far.`;
    case 'successful':
      return `${emoji} ${name} finished successfully ${slackDate(run.finishedAt ?? run.lastSeenAt)} after ${formatDuration(run.durationMs)}.`;
    case 'failed': {
      const where = failure
        ? ` in step \`${escapeMrkdwn(failure.step)}\`${failure.task ? ` (task \`${escapeMrkdwn(failure.task)}\`)` : ''}`
        : '';
      const error = failure?.exception ? ` with ${code(exceptionType(failure.exception.type), 100)}` : '';
      return `${emoji} ${name} failed ${slackDate(run.finishedAt ?? run.lastSeenAt)}${where}${error}, after ${formatDuration(run.durationMs)}.`;
    }
    case 'lost':
      return `${emoji} ${name} stopped reporting ${slackDate(run.lastSeenAt)} without finishing; it was probably killed.`;
  }
}

function activeLine({ step, tasks }: ActiveStep): string {
  const ids = tasks.slice(0, 10).map((t) => `\`${escapeMrkdwn(t.id)}\``).join(', ');
  const more = tasks.length > 10 ? ` and ${tasks.length - 10} more` : '';
  const running = tasks.length > 0 ? `${plural(tasks.length, 'task')} running: ${ids}${more}` : 'starting';
  return `${statusEmoji('running')} \`${escapeMrkdwn(step.name)}\`  ·  ${running}  ·  ${plural(step.taskCount, 'task')} in all`;
}

export function statusMessage(input: StatusInput): SlackMessage {
  const { run, steps, active, failure, uiUrl, prefix } = input;
  const blocks: SlackBlock[] = [section(headline(input))];
  const url = uiRunUrl(uiUrl, run.flow, run.id);
  const tail: SlackBlock[] = [];
  if (run.status === 'failed' && failure) {
    const where = failure.task ? `${run.pathspec}/${failure.step}/${failure.task}` : `${run.pathspec}/${failure.step}`;
    tail.push(context(`${code(command(prefix, `logs ${where}`))} shows its logs.`));
  }
  if (url) tail.push(actions([{ text: 'Open in Metaflow UI', actionId: ACTION.openInUi, url }]));

  if (run.status === 'failed' && failure?.exception) blocks.push(exceptionBlock(failure.exception, 2500));
  if (run.status === 'running') {
    const done = steps.filter((s) => s.status === 'successful');
    const lines = ['*Current steps*', ...active.map(activeLine)];
    if (done.length > 0) lines.push(`Done: ${names(done)}`);
    blocks.push(...packLines(lines, remaining(BODY_BUDGET, [...blocks, ...tail]), (n) => `… ${plural(n, 'more step')}`).blocks);
  }
  if (run.status === 'lost') {
    const unfinished = steps.filter((s) => s.status !== 'successful');
    if (unfinished.length > 0) blocks.push(section(`Unfinished: ${names(unfinished)}`));
  }
  return { text: `${run.pathspec}: ${run.status}`, blocks: [...blocks, ...tail] };
}
