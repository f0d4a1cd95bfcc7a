/**
 * A task: status, attempts, its exception when it failed, buttons to its logs, and its
 * artifacts with previews, a page at a time; a cut preview has a button to the whole value.
 *
 * Budget: header, details, exception, logs row, artifacts title, ARTIFACTS_PAGE artifact
 * sections, paging row and a notice: 28 blocks, under 40 kB of text.
 */
import type { ModalView } from '@slack/types';
import type { Artifact, Task, TaskException } from '../../src/metaflow/model';
import { ACTION, artifactValue, BLOCK, encodeValue } from '../../src/slack/ids';
import type { Location } from '../../src/slack/navigation';
import { actions, header, section, type ButtonSpec } from '../components/blocks';
import { code, count, plural, slackDate } from '../components/format';
import type { SlackBlock } from '../components/message';
import { modal, type Frame } from '../components/modal';
import { backButton, noticeBlocks, pagingRow } from '../components/nav';
import { statusEmoji, statusLabel } from '../components/status';
import { artifactLine } from '../messages/data';
import { exceptionBlock } from '../messages/step';

export const ARTIFACTS_PAGE = 20;
/** The list shows this much of each value (data.ts `artifactLine`); longer ones get a button. */
const LINE_PREVIEW = 300;
const EXCEPTION_TEXT_MAX = 2500;

type At<K extends Location['kind']> = Extract<Location, { kind: K }>;

export interface TaskViewInput {
  at: At<'task'>;
  frame: Frame;
  task: Task;
  exception: TaskException | null;
  artifacts: Artifact[];
  /** What an upload from this view just did. */
  notice?: string;
}

function details(task: Task): string {
  const attempts = task.attempts.map((a) => `${statusEmoji(a.status)} attempt ${a.attempt + 1}`).join(', ') || 'none yet';
  const lines = [statusLabel(task.status), `Attempts: ${attempts}`, task.startedAt !== null ? `Started ${slackDate(task.startedAt)}` : 'Not started'];
  if (task.finishedAt !== null) lines.push(`Finished ${slackDate(task.finishedAt)}`);
  if (task.foreachStack.length > 0) lines.push(`Foreach: ${task.foreachStack.map((s) => code(s, 100)).join(' › ')}`);
  return lines.join('\n');
}

function showButton(a: Artifact): ButtonSpec | undefined {
  if (!a.previewTruncated && a.preview.length <= LINE_PREVIEW) return undefined;
  const value = encodeValue(artifactValue, { name: a.name });
  return value ? { text: 'Show full value', actionId: ACTION.openArtifact, value } : undefined;
}

export function taskView({ at, frame, task, exception, artifacts, notice }: TaskViewInput): ModalView {
  const blocks: SlackBlock[] = [header(task.pathspec), section(details(task))];
  if (exception) blocks.push(exceptionBlock(exception, EXCEPTION_TEXT_MAX));
  blocks.push(
    actions(
      [
        { text: 'stdout', actionId: ACTION.openStdout, primary: task.status !== 'failed' },
        { text: 'stderr', actionId: ACTION.openStderr, primary: task.status === 'failed' },
        ...backButton(at),
      ],
      BLOCK.navigation,
    ),
  );
  const first = at.page * ARTIFACTS_PAGE;
  const shown = artifacts.slice(first, first + ARTIFACTS_PAGE);
  if (artifacts.length === 0) {
    blocks.push(section('*Artifacts*\nThis attempt stored none (yet).'));
  } else {
    const range = artifacts.length > ARTIFACTS_PAGE ? `, ${count(first + 1)}–${count(first + shown.length)} shown` : '';
    blocks.push(section(`*Artifacts* (${plural(artifacts.length, 'artifact')}${range})`));
    for (const a of shown) blocks.push(section(artifactLine(a), showButton(a)));
  }
  blocks.push(...pagingRow({ page: at.page, previous: 'page', next: first + shown.length < artifacts.length ? true : null }));
  blocks.push(...noticeBlocks(notice));
  return modal({ title: 'Task', metadata: frame.metadata, pushed: frame.pushed, blocks });
}
