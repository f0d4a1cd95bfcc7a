/**
 * A task's stdout or stderr: the newest lines, then older pages; the other stream, another
 * attempt, and the whole log as a file.
 *
 * Budget: PAGE_LINES lines of at most LINE_MAX characters are 32,000 characters, at most
 * 5 bytes each once escaped (code.ts): 160 kB in at most 55 code sections, plus 6 blocks.
 */
import type { ModalView } from '@slack/types';
import type { LogStream, Task } from '../../src/metaflow/model';
import type { LogLine } from '../../src/metaflow/mflog';
import { ACTION, BLOCK } from '../../src/slack/ids';
import type { Location } from '../../src/slack/navigation';
import { truncate } from '../limits';
import { buttonElement, context, header, row, section, type ElementBuilder } from '../components/blocks';
import { codeSections } from '../components/code';
import { code, count, plural } from '../components/format';
import type { SlackBlock, SlackFile } from '../components/message';
import { modal, type Frame } from '../components/modal';
import { backButton, cursorPrevious, noticeBlocks, pagingRow } from '../components/nav';
import { choice, present, staticSelect } from '../components/select';

export const PAGE_LINES = 80;
export const LINE_MAX = 400;

type At<K extends Location['kind']> = Extract<Location, { kind: K }>;

export interface LogsViewInput {
  at: At<'logs'>;
  frame: Frame;
  task: Task;
  /** The attempt the lines come from. */
  attempt: number;
  /** Oldest first. */
  lines: LogLine[];
  /** The cursor of the page before these lines; null when they start the log. */
  older: string | null;
  notice?: string;
}

function attemptSelect(task: Task, attempt: number): ElementBuilder | null {
  if (task.attempts.length < 2) return null;
  const listed = present(task.attempts.map((a) => choice(`Attempt ${a.attempt + 1} (${a.status})`, String(a.attempt))));
  return staticSelect(ACTION.logAttempt, 'Attempt', listed, listed.find((c) => c.value === String(attempt)));
}

function position(at: At<'logs'>, shown: number, older: string | null): string {
  if (shown === 0) return `_${at.stream} is empty._`;
  if (at.paging.page === 0) return older === null ? `All ${plural(shown, 'line')}` : `The last ${plural(shown, 'line')}`;
  return `${plural(shown, 'line')}, ${count(at.paging.page)} ${at.paging.page === 1 ? 'page' : 'pages'} back from the end${older === null ? ' (the start of the log)' : ''}`;
}

function linesBlocks(text: string, lines: number): SlackBlock[] {
  if (lines === 0) return [];
  return text.trim() === '' ? [section('_Only blank lines._')] : codeSections(text);
}

export function logsView({ at, frame, task, attempt, lines, older, notice }: LogsViewInput): ModalView {
  const other = at.stream === 'stdout' ? 'stderr' : 'stdout';
  const controls: ElementBuilder[] = [
    buttonElement({ text: `Show ${other}`, actionId: other === 'stdout' ? ACTION.openStdout : ACTION.openStderr }),
  ];
  const attempts = attemptSelect(task, attempt);
  if (attempts) controls.push(attempts);
  controls.push(buttonElement({ text: 'Upload full log', actionId: ACTION.uploadLog }), ...backButton(at).map(buttonElement));

  const shown = lines.slice(-PAGE_LINES);
  const long = shown.some((l) => l.message.length > LINE_MAX);
  const text = shown.map((l) => truncate(l.message, LINE_MAX)).join('\n');
  const about = [position(at, shown.length, older), `attempt ${attempt + 1}`];
  if (long) about.push(`lines over ${count(LINE_MAX)} characters are cut (the uploaded log has them whole)`);
  const blocks: SlackBlock[] = [
    header(`${at.stream} of ${task.pathspec}`),
    context(about.join('  ·  ')),
    row(controls, BLOCK.navigation),
    ...linesBlocks(text, shown.length),
    ...pagingRow({ page: at.paging.page, previous: cursorPrevious(at.paging), next: older, labels: { previous: '↓ Newer', first: '⇊ Newest', next: '↑ Older' } }),
    ...noticeBlocks(notice),
  ];
  return modal({ title: 'Logs', metadata: frame.metadata, pushed: frame.pushed, blocks });
}

export interface LogFileInput {
  task: Task;
  stream: LogStream;
  attempt: number;
  text: string;
  /** The log went on beyond what was read. */
  truncated: boolean;
}

/** The whole log as a file: `FailFlow-1795835906791541-explode-2-stderr.log`. */
export function logFile({ task, stream, attempt, text, truncated }: LogFileInput): SlackFile {
  const suffix = attempt > 0 ? `-attempt${attempt + 1}` : '';
  const name = `${task.flow}-${task.runId}-${task.step}-${task.id}-${stream}${suffix}.log`;
  const cut = truncated ? ' It was cut: the log is longer than the bot reads at once.' : '';
  return {
    filename: name,
    title: `${stream} of ${task.pathspec}, attempt ${attempt + 1}`,
    content: text === '' ? `(${stream} is empty)\n` : text,
    comment: `The ${stream} of ${code(task.pathspec)}, attempt ${attempt + 1}.${cut}`,
  };
}
