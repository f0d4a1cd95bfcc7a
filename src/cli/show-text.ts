/** Plain-text rendering of what `metaflowbot show` found, for a terminal. */
import type { Artifact, Page, Run, RunDetail, Step, Task, TaskException } from '../metaflow/model';
import type { LogLine } from '../metaflow/mflog';
import { formatDuration } from '../../views/components/format';

const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n');
}

export function runsText(flow: string, page: Page<Run>): string {
  if (page.items.length === 0) return `${flow}: no runs match.`;
  const rows = [['RUN', 'STATUS', 'USER', 'CREATED', 'DURATION', 'TAGS']];
  for (const r of page.items) rows.push([r.id, r.status, r.user ?? '-', iso(r.createdAt), formatDuration(r.durationMs), r.tags.join(', ')]);
  const more = page.next ? `\n… more runs (${page.total ?? 'unknown'} in all); narrow the query or use --limit` : '';
  return `${flow}\n${table(rows)}${more}`;
}

export function runText(run: RunDetail): string {
  const lines = [
    `${run.pathspec}  ${run.status}`,
    `user: ${run.user ?? '-'}   created: ${iso(run.createdAt)}   finished: ${iso(run.finishedAt)}   duration: ${formatDuration(run.durationMs)}`,
    `tags: ${run.tags.join(', ') || '-'}`,
    `system tags: ${run.systemTags.join(', ') || '-'}`,
  ];
  if (run.parameters.length > 0) {
    lines.push('', 'parameters:');
    for (const p of run.parameters) lines.push(`  ${p.name} = ${p.preview}`);
  }
  lines.push('', stepsText(run.steps));
  return lines.join('\n');
}

export function stepsText(steps: Step[]): string {
  const rows = [['STEP', 'STATUS', 'TASKS', 'STARTED', 'RUNTIME']];
  for (const s of steps) rows.push([s.name, s.status, String(s.taskCount), iso(s.startedAt), formatDuration(s.durationMs)]);
  return table(rows);
}

export function tasksText(pathspec: string, step: Step, page: Page<Task>): string {
  const rows = [['TASK', 'STATUS', 'ATTEMPTS', 'INDEX', 'STARTED', 'FINISHED']];
  for (const t of page.items) {
    rows.push([t.id, t.status, String(t.attempts.length), t.foreachIndex === null ? '-' : String(t.foreachIndex), iso(t.startedAt), iso(t.finishedAt)]);
  }
  const more = page.next ? `\n… ${page.total ?? 'more'} tasks in all; showing ${page.items.length}` : '';
  return `${pathspec}  ${step.status}  (${step.taskCount} tasks)\n${table(rows)}${more}`;
}

export function taskText(task: Task, artifacts: Artifact[], exception: TaskException | null, logs: Record<string, LogLine[]> | null): string {
  const attempts = task.attempts.map((a) => `#${a.attempt} ${a.status}`).join(', ') || '-';
  const lines = [
    `${task.pathspec}  ${task.status}`,
    `attempts: ${attempts}   started: ${iso(task.startedAt)}   finished: ${iso(task.finishedAt)}`,
  ];
  if (task.foreachStack.length > 0) lines.push(`foreach: ${task.foreachStack.join(' / ')} (index ${task.foreachIndex ?? '-'})`);
  if (exception) lines.push(`exception: ${exception.type}: ${exception.message}`);
  lines.push('', 'artifacts:');
  if (artifacts.length === 0) lines.push('  (none)');
  for (const a of artifacts) lines.push(`  ${a.name}: ${a.type} = ${a.preview}`);
  if (logs) {
    for (const [stream, tail] of Object.entries(logs)) {
      lines.push('', `${stream} (last ${tail.length} lines):`);
      for (const l of tail) lines.push(`  ${l.message}`);
    }
  }
  return lines.join('\n');
}
