/** `export`: a run's metadata as a JSON file, and the comment that comes with it. */
import type { RunDetail, Task } from '../../src/metaflow/model';
import { escapeMrkdwn } from '../limits';
import { plural } from '../components/format';
import type { SlackFile } from '../components/message';

export interface ExportInput {
  run: RunDetail;
  /** Tasks per step name, in scheduling order. */
  tasks: Record<string, Task[]>;
  /** Steps whose tasks were not all read (a huge foreach). */
  truncatedSteps: string[];
  version: string;
  exportedAt: number;
}

export type ExportFile = SlackFile;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function taskJson(t: Task): Record<string, unknown> {
  return {
    id: t.id,
    pathspec: t.pathspec,
    status: t.status,
    attempt: t.attempt,
    attempts: t.attempts.map((a) => ({ attempt: a.attempt, status: a.status, started_at: iso(a.startedAt), finished_at: iso(a.finishedAt) })),
    started_at: iso(t.startedAt),
    finished_at: iso(t.finishedAt),
    foreach_index: t.foreachIndex,
    foreach_stack: t.foreachStack,
  };
}

export function exportFile({ run, tasks, truncatedSteps, version, exportedAt }: ExportInput): ExportFile {
  const document = {
    exported_by: `metaflowbot ${version}`,
    exported_at: iso(exportedAt),
    run: {
      pathspec: run.pathspec,
      flow: run.flow,
      id: run.id,
      user: run.user,
      status: run.status,
      tags: run.tags,
      system_tags: run.systemTags,
      created_at: iso(run.createdAt),
      finished_at: iso(run.finishedAt),
      duration_ms: run.durationMs,
    },
    parameters: Object.fromEntries(run.parameters.map((p) => [p.name, { type: p.type, repr: p.preview }])),
    steps: run.steps.map((s) => ({
      name: s.name,
      type: s.type,
      status: s.status,
      task_count: s.taskCount,
      started_at: iso(s.startedAt),
      finished_at: iso(s.finishedAt),
      duration_ms: s.durationMs,
      tasks_complete: !truncatedSteps.includes(s.name),
      tasks: (tasks[s.name] ?? []).map(taskJson),
    })),
  };
  const note = truncatedSteps.length > 0 ? ` (tasks cut short in ${plural(truncatedSteps.length, 'step')})` : '';
  return {
    filename: `${run.flow}-${run.id}.json`,
    title: `${run.pathspec} metadata`,
    content: `${JSON.stringify(document, null, 2)}\n`,
    comment: `Metadata of *${escapeMrkdwn(run.pathspec)}*: run, ${plural(run.steps.length, 'step')}, tasks, parameters and tags${note}.`,
  };
}
