/** `data`: what the tasks of a step stored, with a preview of each value. */
import type { Artifact, Run, Task } from '../../src/metaflow/model';
import { codeBlock, escapeMrkdwn, SECTION_TEXT_MAX } from '../limits';
import { context, header, section } from '../components/blocks';
import { BODY_BUDGET, fitItems, packLines, remaining, type Budget } from '../components/budget';
import { code, command, count, plural } from '../components/format';
import type { SlackBlock, SlackMessage } from '../components/message';
import { statusEmoji } from '../components/status';
import { taskName } from './step';

export interface TaskArtifacts {
  task: Task;
  /** With a name: that artifact, or nothing when this task has none of that name. */
  artifacts: Artifact[];
}

export interface DataInput {
  run: Run;
  step: string;
  tasks: TaskArtifacts[];
  /** Tasks the step has; more than `tasks` in a foreach. */
  totalTasks: number;
  /** The one artifact asked for, or null for all of them. */
  name: string | null;
  prefix: string;
}

export function artifactSize(a: Artifact): string {
  if (a.size === null) return '';
  return a.size < 1024 ? ` ${count(a.size)} B` : ` ${count(Math.round(a.size / 1024))} KB`;
}

export function cutNote(a: Artifact): string {
  return a.previewTruncated ? ` _(preview; ${count(a.previewLength)} characters in all)_` : '';
}

export function artifactLine(a: Artifact): string {
  return `• \`${escapeMrkdwn(a.name)}\` _${escapeMrkdwn(a.type)}${artifactSize(a)}_  ${code(a.preview, 300)}${cutNote(a)}`;
}

function taskItem(entry: TaskArtifacts, name: string | null, budget: Budget): SlackBlock[] {
  const title = section(`${statusEmoji(entry.task.status)} ${taskName(entry.task)}`);
  const room = remaining(budget, [title]);
  if (name !== null) {
    const artifact = entry.artifacts[0];
    if (!artifact) return [title, context(`No artifact \`${escapeMrkdwn(name)}\` in this task.`)];
    const about = context(`\`${escapeMrkdwn(artifact.name)}\` _${escapeMrkdwn(artifact.type)}${artifactSize(artifact)}_${cutNote(artifact)}`);
    const max = Math.min(SECTION_TEXT_MAX, remaining(room, [about]).text);
    return [title, about, section(codeBlock(artifact.preview, Math.max(max, 40)))];
  }
  if (entry.artifacts.length === 0) return [title, context('No artifacts.')];
  const lines = packLines(entry.artifacts.map(artifactLine), room, (omitted) => `… ${plural(omitted, 'more artifact')}`);
  return [title, ...lines.blocks];
}

export function dataMessage({ run, step, tasks, totalTasks, name, prefix }: DataInput): SlackMessage {
  const where = `${run.pathspec}/${step}`;
  const title = name === null ? `Artifacts of ${where}` : `${name} in ${where}`;
  const head: SlackBlock[] = [header(title)];
  if (totalTasks > tasks.length) {
    head.push(
      context(
        `The first ${count(tasks.length)} of ${plural(totalTasks, 'task')}. Name a task for another one: ` +
          code(command(prefix, `data ${where}/<task>${name === null ? '' : ` ${name}`}`)),
      ),
    );
  }
  const room = remaining(BODY_BUDGET, head);
  // Each task gets an equal share, so the last one shown is not starved by the first.
  const share: Budget = {
    blocks: Math.floor((room.blocks - 1) / Math.max(1, tasks.length)),
    text: Math.floor((room.text - 100) / Math.max(1, tasks.length)),
  };
  const items = tasks.map((entry) => taskItem(entry, name, share));
  const fitted = fitItems(items, room, (omitted) => context(`${plural(omitted, 'more task')} did not fit.`));
  return { text: title, blocks: [...head, ...fitted.blocks] };
}
