/** A Metaflow UI link pasted in a channel, unfurled into a compact run card (two blocks). */
import type { Run, Step, Task } from '../src/metaflow/model';
import { escapeMrkdwn } from './limits';
import { context, section } from './components/blocks';
import { formatDuration, plural, slackDate } from './components/format';
import type { SlackBlock } from './components/message';
import { runLink } from './components/run';
import { statusEmoji, statusLabel } from './components/status';

export interface UnfurlInput {
  run: Run;
  /** The step or task the link points into, when it does. */
  step: Step | null;
  task: Task | null;
  uiUrl: string | null;
}

export function unfurlCard({ run, step, task, uiUrl }: UnfurlInput): { blocks: SlackBlock[] } {
  const took = run.status === 'running' ? `running for ${formatDuration(run.durationMs)}` : formatDuration(run.durationMs);
  const line = [`${statusEmoji(run.status)} ${runLink(run, run.pathspec, uiUrl)}`, escapeMrkdwn(run.user ?? 'unknown user'), slackDate(run.createdAt), took];
  const blocks: SlackBlock[] = [section(line.join('  ·  '))];
  if (task) {
    blocks.push(context(`Task \`${escapeMrkdwn(task.step)}/${escapeMrkdwn(task.id)}\`  ·  ${statusLabel(task.status)}  ·  attempt ${task.attempt + 1}`));
  } else if (step) {
    blocks.push(context(`Step \`${escapeMrkdwn(step.name)}\`  ·  ${statusLabel(step.status)}  ·  ${plural(step.taskCount, 'task')}  ·  ${formatDuration(step.durationMs)}`));
  }
  return { blocks };
}
