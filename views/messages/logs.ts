/** `logs`: the end of stdout and stderr of a step's tasks. */
import type { LogStream, Run, Task } from '../../src/metaflow/model';
import type { LogLine } from '../../src/metaflow/mflog';
import { codeBlock, SECTION_TEXT_MAX } from '../limits';
import { context, header, section } from '../components/blocks';
import { BODY_BUDGET, fitItems, remaining, textOf } from '../components/budget';
import { code, command, count, plural } from '../components/format';
import type { SlackBlock, SlackMessage } from '../components/message';
import { statusEmoji } from '../components/status';
import { taskName } from './step';

export interface StreamTail {
  stream: LogStream;
  /** Oldest first. */
  lines: LogLine[];
  /** Whether the log goes on before these lines. */
  earlier: boolean;
}

export interface TaskLogs {
  task: Task;
  /** The attempt the lines come from. */
  attempt: number;
  streams: StreamTail[];
}

export interface LogsInput {
  run: Run;
  step: string;
  tasks: TaskLogs[];
  totalTasks: number;
  prefix: string;
}

/** Too little room to show a useful tail: below this a task is left for "N more". */
const MIN_TAIL = 200;

function streamBlocks(tail: StreamTail, max: number): SlackBlock[] {
  if (tail.lines.length === 0) return [context(`_${tail.stream} is empty._`)];
  const label = context(`*${tail.stream}*, ${tail.earlier ? `last ${plural(tail.lines.length, 'line')}` : plural(tail.lines.length, 'line')}`);
  const text = tail.lines.map((l) => l.message).join('\n');
  return [label, section(codeBlock(text, Math.min(SECTION_TEXT_MAX, Math.max(max - textOf([label]), MIN_TAIL)), { keep: 'tail' }))];
}

export function logsMessage({ run, step, tasks, totalTasks, prefix }: LogsInput): SlackMessage {
  const where = `${run.pathspec}/${step}`;
  const head: SlackBlock[] = [header(`Logs of ${where}`)];
  if (totalTasks > tasks.length) {
    head.push(
      context(
        `${count(tasks.length)} of ${plural(totalTasks, 'task')}, failed and running ones first; ${plural(totalTasks - tasks.length, 'more task')} not shown. ` +
          `Name a task for another one: ${code(command(prefix, `logs ${where}/<task>`))}`,
      ),
    );
  }
  const room = remaining(BODY_BUDGET, head);
  const streams = tasks.reduce((n, t) => n + t.streams.length, 0);
  // Every stream gets the same share of the text, less what its title and label take.
  const perStream = Math.floor((room.text - 100 * (tasks.length + 1)) / Math.max(1, streams));
  const items = tasks.map(({ task, attempt, streams: tails }) => [
    section(`${statusEmoji(task.status)} ${taskName(task)}${attempt > 0 ? `, attempt ${attempt + 1}` : ''}`),
    ...tails.flatMap((t) => streamBlocks(t, perStream)),
  ]);
  const fitted = fitItems(items, room, (omitted) => context(`${plural(omitted, 'more task')} did not fit.`));
  return { text: `Logs of ${where}`, blocks: [...head, ...fitted.blocks] };
}
