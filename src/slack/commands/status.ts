/** `status [query]`: running (current steps, active tasks) or finished (when, how, and for a
 *  failure the failing task's exception). */
import type { MetaflowClient } from '../../metaflow/client';
import type { Run, Step } from '../../metaflow/model';
import { statusMessage, type ActiveStep, type Failure } from '../../../views/messages/status';
import type { CommandContext } from './context';
import { runTarget } from './target';

/** Enough to see what a run is doing; the overview and `inspect <step>` have the rest. */
const ACTIVE_STEPS = 5;
const ACTIVE_TASKS = 50;

async function activeSteps(client: MetaflowClient, run: Run, steps: Step[]): Promise<ActiveStep[]> {
  const running = steps.filter((s) => s.status === 'running').slice(0, ACTIVE_STEPS);
  return Promise.all(
    running.map(async (step) => {
      const page = await client.listTasks(run.flow, run.id, step.name, { limit: ACTIVE_TASKS, problemsFirst: true });
      return { step, tasks: page.items.filter((t) => t.status === 'running') };
    }),
  );
}

/** The first failed step in DAG order and its first failed task: where a user starts looking. */
async function failureOf(client: MetaflowClient, run: Run, steps: Step[]): Promise<Failure | null> {
  const step = steps.find((s) => s.status === 'failed') ?? steps.find((s) => s.status !== 'successful');
  if (!step) return null;
  const page = await client.listTasks(run.flow, run.id, step.name, { limit: 1, problemsFirst: true });
  const task = page.items[0];
  if (!task || task.status !== 'failed') return { step: step.name, task: null, exception: null };
  const exception = await client.taskException({ flow: run.flow, run: run.id, step: step.name, task: task.id });
  return { step: step.name, task: task.id, exception };
}

export async function status(args: string, ctx: CommandContext): Promise<void> {
  const target = await runTarget(args, ctx, 'status');
  if (!target) return;
  const { run } = target;
  const client = ctx.deps.client;
  const steps = run.status === 'successful' ? [] : await client.listSteps(run.flow, run.id);
  const active = run.status === 'running' ? await activeSteps(client, run, steps) : [];
  const failure = run.status === 'failed' ? await failureOf(client, run, steps) : null;
  await ctx.reply.send(statusMessage({ run, steps, active, failure, uiUrl: ctx.deps.uiUrl, prefix: ctx.prefix }));
}
