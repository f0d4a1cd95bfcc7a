/**
 * A step: how it went and its tasks, failed and running ones first, a page at a time (a
 * foreach may have thousands), each with a button that opens it.
 *
 * Budget: header, summary, range line, TASKS_PAGE task sections, paging and navigation rows:
 * 30 blocks.
 */
import type { ModalView } from '@slack/types';
import type { Page, Run, Step, Task } from '../../src/metaflow/model';
import { ACTION, BLOCK, encodeValue, taskValue } from '../../src/slack/ids';
import type { Location } from '../../src/slack/navigation';
import { actions, context, header, section } from '../components/blocks';
import { count, formatDuration, plural, slackDate } from '../components/format';
import type { SlackBlock } from '../components/message';
import { modal, type Frame } from '../components/modal';
import { backButton, cursorPrevious, pagingRow } from '../components/nav';
import { statusLabel } from '../components/status';
import { taskLine } from '../messages/step';

export const TASKS_PAGE = 25;

type At<K extends Location['kind']> = Extract<Location, { kind: K }>;

export interface StepViewInput {
  at: At<'step'>;
  frame: Frame;
  run: Run;
  step: Step;
  /** This page of its tasks, problems first. */
  tasks: Page<Task>;
}

export function stepView({ at, frame, run, step, tasks }: StepViewInput): ModalView {
  const summary = [
    statusLabel(step.status),
    plural(step.taskCount, 'task'),
    step.startedAt !== null ? `started ${slackDate(step.startedAt)}` : 'not started',
    formatDuration(step.durationMs),
  ].join('  ·  ');
  const blocks: SlackBlock[] = [header(`${run.pathspec}/${step.name}`), section(summary)];
  const first = at.paging.page * TASKS_PAGE;
  const total = tasks.total ?? step.taskCount;
  if (tasks.items.length === 0) {
    blocks.push(section(at.paging.page > 0 ? 'No more tasks.' : 'No tasks have started yet.'));
  } else {
    const span = tasks.items.length === 1 ? count(first + 1) : `${count(first + 1)}–${count(first + tasks.items.length)}`;
    blocks.push(context(`Tasks ${span} of ${count(total)}; failed and running ones first`));
    for (const task of tasks.items.slice(0, TASKS_PAGE)) {
      const value = encodeValue(taskValue, { task: task.id });
      blocks.push(section(taskLine(task), value ? { text: 'Open', actionId: ACTION.openTask, value } : undefined));
    }
  }
  blocks.push(...pagingRow({ page: at.paging.page, previous: cursorPrevious(at.paging), next: tasks.next }));
  blocks.push(actions(backButton(at), BLOCK.navigation));
  return modal({ title: 'Step', metadata: frame.metadata, pushed: frame.pushed, blocks });
}
