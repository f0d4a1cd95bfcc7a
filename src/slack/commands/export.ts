/** `export [query]`: the run's metadata as a JSON file, posted where the command was typed. */
import type { MetaflowClient } from '../../metaflow/client';
import { mapLimit } from '../../metaflow/concurrency';
import type { RunDetail, Task } from '../../metaflow/model';
import { exportFile } from '../../../views/messages/export';
import type { CommandContext } from './context';
import { runTarget } from './target';

/** Tasks read per step: a foreach of a million tasks should not become a 500 MB upload. */
const TASKS_PER_STEP = 10_000;
const TASK_PAGE = 1000;
/** Steps read at once, so a 60-step run does not open 60 requests to the metadata service. */
const STEP_CONCURRENCY = 4;

async function stepTasks(client: MetaflowClient, run: RunDetail, step: string): Promise<{ tasks: Task[]; complete: boolean }> {
  const tasks: Task[] = [];
  let cursor: string | null = null;
  do {
    const page = await client.listTasks(run.flow, run.id, step, { limit: TASK_PAGE, cursor });
    tasks.push(...page.items);
    cursor = page.next;
  } while (cursor !== null && tasks.length < TASKS_PER_STEP);
  return { tasks, complete: cursor === null };
}

export async function exportRun(args: string, ctx: CommandContext): Promise<void> {
  const target = await runTarget(args, ctx, 'export');
  if (!target) return;
  const client = ctx.deps.client;
  const run = await client.getRunDetail(target.run.flow, target.run.id);
  const read = await mapLimit(run.steps, STEP_CONCURRENCY, async (s) => [s.name, await stepTasks(client, run, s.name)] as const);
  const file = exportFile({
    run,
    tasks: Object.fromEntries(read.map(([name, r]) => [name, r.tasks])),
    truncatedSteps: read.filter(([, r]) => !r.complete).map(([name]) => name),
    version: ctx.deps.version,
    exportedAt: Date.now(),
  });
  await ctx.reply.upload(file);
}
