/**
 * The stable JSON of `metaflowbot show --json` (documented in docs/cli.md): times in ISO 8601
 * UTC, durations in ms, parameters as name → preview.
 */
import type { Artifact, Page, Parameter, Run, RunDetail, Step, Task, TaskException } from '../metaflow/model';
import type { LogLine } from '../metaflow/mflog';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function runJson(run: Run) {
  return {
    pathspec: run.pathspec,
    flow: run.flow,
    id: run.id,
    user: run.user,
    status: run.status,
    tags: run.tags,
    systemTags: run.systemTags,
    createdAt: iso(run.createdAt),
    finishedAt: iso(run.finishedAt),
    durationMs: run.durationMs,
  };
}

export function stepJson(step: Step) {
  return {
    name: step.name,
    type: step.type,
    status: step.status,
    tasks: step.taskCount,
    startedAt: iso(step.startedAt),
    finishedAt: iso(step.finishedAt),
    durationMs: step.durationMs,
  };
}

export function parametersJson(parameters: Parameter[]): Record<string, string> {
  return Object.fromEntries(parameters.map((p) => [p.name, p.preview]));
}

export function runDetailJson(run: RunDetail) {
  return { ...runJson(run), steps: run.steps.map(stepJson), parameters: parametersJson(run.parameters) };
}

export function artifactJson(a: Artifact) {
  return { name: a.name, type: a.type, size: a.size, sha: a.sha, preview: a.preview, previewLength: a.previewLength };
}

export function logLinesJson(lines: LogLine[]) {
  return lines.map((l) => ({ timestamp: l.timestamp, message: l.message }));
}

export function taskJson(task: Task, extra: { artifacts?: Artifact[]; exception?: TaskException | null; logs?: Record<string, LogLine[]> } = {}) {
  return {
    pathspec: task.pathspec,
    id: task.id,
    step: task.step,
    status: task.status,
    attempt: task.attempt,
    attempts: task.attempts.map((a) => ({ attempt: a.attempt, status: a.status, startedAt: iso(a.startedAt), finishedAt: iso(a.finishedAt) })),
    startedAt: iso(task.startedAt),
    finishedAt: iso(task.finishedAt),
    foreachIndex: task.foreachIndex,
    foreachStack: task.foreachStack,
    ...(extra.exception !== undefined ? { exception: extra.exception } : {}),
    ...(extra.artifacts ? { artifacts: extra.artifacts.map(artifactJson) } : {}),
    ...(extra.logs ? { logs: Object.fromEntries(Object.entries(extra.logs).map(([k, v]) => [k, logLinesJson(v)])) } : {}),
  };
}

export function taskPageJson(step: Step, pathspec: string, page: Page<Task>) {
  return { pathspec, ...stepJson(step), tasks: page.items.map((t) => taskJson(t)), next: page.next };
}
