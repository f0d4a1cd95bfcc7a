/**
 * The plain objects the Metaflow client hands out. They know nothing of Slack or of the
 * backend that produced them; times are epoch milliseconds (UTC).
 */

export type RunStatus = 'running' | 'successful' | 'failed' | 'lost';
export type TaskStatus = RunStatus;
export type StepStatus = RunStatus;
export type LogStream = 'stdout' | 'stderr';

export interface Flow {
  name: string;
  createdAt: number;
}

export interface Run {
  pathspec: string;
  flow: string;
  id: string;
  user: string | null;
  tags: string[];
  systemTags: string[];
  createdAt: number;
  finishedAt: number | null;
  /** Finished − created; while running, last sign of life − created. */
  durationMs: number | null;
  status: RunStatus;
  /** Newest sign of life seen (task start/finish, heartbeat); what the lost cutoff is measured from. */
  lastSeenAt: number;
}

export interface Step {
  name: string;
  /** Graph node type (`start`, `linear`, `split-foreach`, `join`, `end` …), when the graph is known. */
  type: string | null;
  status: StepStatus;
  taskCount: number;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
}

export interface Attempt {
  attempt: number;
  status: TaskStatus;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface Task {
  pathspec: string;
  flow: string;
  runId: string;
  step: string;
  id: string;
  status: TaskStatus;
  /** The attempt Metaflow shows by default: the newest one started. */
  attempt: number;
  attempts: Attempt[];
  startedAt: number | null;
  finishedAt: number | null;
  /** Position inside the innermost foreach, as Metaflow's `Task.index`. */
  foreachIndex: number | null;
  /** `var=value` per enclosing foreach, outermost first. */
  foreachStack: string[];
}

export interface Artifact {
  name: string;
  /** Python type name: `int`, `pandas.core.frame.DataFrame`, `__main__.Point` … */
  type: string;
  /** Size of the uncompressed pickle in bytes, when the datastore records it. */
  size: number | null;
  sha: string;
  preview: string;
  /** Length of the full preview; `preview` was cut when it is shorter. */
  previewLength: number;
  previewTruncated: boolean;
}

export interface Parameter {
  name: string;
  type: string;
  preview: string;
}

export interface RunDetail extends Run {
  steps: Step[];
  parameters: Parameter[];
  /** The flow's DAG: steps in graph order, as Metaflow's `_graph_info` records it. */
  graph: FlowGraph | null;
}

export interface GraphNode {
  name: string;
  type: string;
  next: string[];
  doc: string;
}

export interface FlowGraph {
  startStep: string;
  endStep: string;
  /** Steps in DAG order (a split's branches in order, then the join). */
  order: string[];
  nodes: Record<string, GraphNode>;
  parameters: string[];
  constants: string[];
}

export interface TaskException {
  type: string;
  message: string;
  stacktrace: string | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor of the next page; null on the last one. */
  next: string | null;
  /** Total number of items when known without reading them all. */
  total: number | null;
}

export function runPathspec(flow: string, run: string): string {
  return `${flow}/${run}`;
}

export function taskPathspec(flow: string, run: string, step: string, task: string): string {
  return `${flow}/${run}/${step}/${task}`;
}
