/** Where and how a run failed, read once per failed run for every channel that hears of it. */
import type { MetaflowClient } from '../metaflow/client';
import type { Run } from '../metaflow/model';
import { truncate } from '../../views/limits';
import type { FailureDetails } from './payload';

/** Enough of stderr to show the error line and what led to it; `logs` has the rest. */
const STDERR_LINES = 10;
/** Kept short in the outbox: the message shows less than this anyway. */
const MESSAGE_MAX = 2000;
const LINE_MAX = 500;

/** The first failed step in DAG order and its first failed task, as `status` shows them. */
export async function failureDetails(client: MetaflowClient, run: Run): Promise<FailureDetails | null> {
  const steps = await client.listSteps(run.flow, run.id);
  const step = steps.find((s) => s.status === 'failed') ?? steps.find((s) => s.status !== 'successful');
  if (!step) return null;
  const page = await client.listTasks(run.flow, run.id, step.name, { limit: 1, problemsFirst: true });
  const task = page.items[0];
  if (!task || task.status !== 'failed') return { step: step.name, task: null, attempt: null, exception: null, stderr: [] };
  const ref = { flow: run.flow, run: run.id, step: step.name, task: task.id };
  const [exception, log] = await Promise.all([client.taskException(ref), client.readLog(ref, { stream: 'stderr', limit: STDERR_LINES })]);
  return {
    step: step.name,
    task: task.id,
    attempt: log.attempt,
    exception: exception && { type: exception.type, message: truncate(exception.message, MESSAGE_MAX) },
    stderr: log.lines.map((l) => truncate(l.message, LINE_MAX)),
  };
}
