/** `inspect Flow/run/step` and `inspect Flow/run/step/task`: a step with its tasks, one task
 *  with its attempts and, when it failed, its exception. */
import type { Page, Run, Step, Task, TaskException } from '../../src/metaflow/model';
import { ACTION } from '../../src/slack/ids';
import { codeBlock, escapeMrkdwn } from '../limits';
import { actions, context, header, section } from '../components/blocks';
import { BODY_BUDGET, packLines, remaining } from '../components/budget';
import { code, command, formatDuration, plural, slackDate } from '../components/format';
import type { SlackBlock, SlackMessage } from '../components/message';
import { uiRunUrl } from '../components/run';
import { statusEmoji, statusLabel } from '../components/status';

export interface StepInput {
  run: Run;
  step: Step;
  /** A page of its tasks, problems first. */
  tasks: Page<Task>;
  uiUrl: string | null;
  prefix: string;
}

/** `task 7 (index 2)`: the foreach index is what users recognise in a foreach. */
export function taskName(task: Task): string {
  const index = task.foreachIndex === null ? '' : ` (index ${task.foreachIndex})`;
  return `task \`${escapeMrkdwn(task.id)}\`${index}`;
}

export function taskLine(task: Task): string {
  const attempt = task.attempt > 0 ? `  ·  attempt ${task.attempt + 1}` : '';
  const took = task.startedAt !== null && task.finishedAt !== null ? `  ·  ${formatDuration(task.finishedAt - task.startedAt)}` : '';
  return `${statusEmoji(task.status)} ${taskName(task)}${attempt}${took}`;
}

function uiButton(run: Run, uiUrl: string | null): SlackBlock[] {
  const url = uiRunUrl(uiUrl, run.flow, run.id);
  return url ? [actions([{ text: 'Open in Metaflow UI', actionId: ACTION.openInUi, url }])] : [];
}

function hints(prefix: string, where: string): SlackBlock {
  return context(`${code(command(prefix, `data ${where}`))} shows its artifacts, ${code(command(prefix, `logs ${where}`))} its logs.`);
}

export function stepMessage({ run, step, tasks, uiUrl, prefix }: StepInput): SlackMessage {
  const pathspec = `${run.pathspec}/${step.name}`;
  const summary = [
    statusLabel(step.status),
    plural(step.taskCount, 'task'),
    step.startedAt !== null ? `started ${slackDate(step.startedAt)}` : 'not started',
    formatDuration(step.durationMs),
  ].join('  ·  ');
  const head = [header(pathspec), section(summary)];
  const tail = [hints(prefix, pathspec), ...uiButton(run, uiUrl)];
  const total = tasks.total ?? tasks.items.length;
  const lines = packLines(tasks.items.map(taskLine), remaining(BODY_BUDGET, [...head, ...tail]), (omitted) =>
    `… ${plural(omitted + total - tasks.items.length, 'more task')}; name one, e.g. ${code(command(prefix, `inspect ${pathspec}/<task>`))}`,
  );
  const more = lines.omitted === 0 && total > tasks.items.length
    ? [context(`${plural(total - tasks.items.length, 'more task')} not listed (failed and running ones come first).`)]
    : [];
  return { text: `${pathspec}: ${step.status}, ${step.taskCount} tasks`, blocks: [...head, ...lines.blocks, ...more, ...tail] };
}

export interface TaskInput {
  run: Run;
  task: Task;
  exception: TaskException | null;
  uiUrl: string | null;
  prefix: string;
}

/** Python's builtins need no module name: `ValueError`, not `builtins.ValueError`. */
export function exceptionType(type: string): string {
  return type.startsWith('builtins.') ? type.slice('builtins.'.length) : type;
}

/** The exception as a code block: type and message, then the end of the stack trace. */
export function exceptionBlock(exception: TaskException, max: number): SlackBlock {
  const heading = `${exceptionType(exception.type)}: ${exception.message}`;
  const text = exception.stacktrace ? `${exception.stacktrace.trimEnd()}` : heading;
  return section(codeBlock(text.includes(heading) ? text : `${text}\n${heading}`, max, { keep: 'tail' }));
}

export function taskMessage({ run, task, exception, uiUrl, prefix }: TaskInput): SlackMessage {
  const attempts = task.attempts.map((a) => `${statusEmoji(a.status)} attempt ${a.attempt + 1}`).join(', ') || 'none yet';
  const lines = [
    statusLabel(task.status),
    `Attempts: ${attempts}`,
    task.startedAt !== null ? `Started ${slackDate(task.startedAt)}` : 'Not started',
  ];
  if (task.finishedAt !== null) lines.push(`Finished ${slackDate(task.finishedAt)}`);
  if (task.foreachStack.length > 0) lines.push(`Foreach: ${task.foreachStack.map((s) => code(s, 100)).join(' › ')}`);
  const blocks = [header(task.pathspec), section(lines.join('\n'))];
  if (exception) blocks.push(exceptionBlock(exception, 2500));
  blocks.push(hints(prefix, task.pathspec), ...uiButton(run, uiUrl));
  return { text: `${task.pathspec}: ${task.status}`, blocks };
}
