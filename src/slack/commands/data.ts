/** `data <step> [name]` or `data <Flow/run/step[/task]> [name]`: artifacts with previews. */
import type { Artifact, Task } from '../../metaflow/model';
import { NotFoundError } from '../../metaflow/errors';
import { dataMessage, type TaskArtifacts } from '../../../views/messages/data';
import { helpMessage } from '../../../views/messages/help';
import { code, command } from '../../../views/components/format';
import { UsageError } from '../errors';
import type { CommandContext } from './context';
import { stepTarget } from './target';

/** A foreach shows its first tasks; naming a task shows any other. */
const TASKS_SHOWN = 5;
/** One artifact asked for by name gets a longer preview than a list entry. */
const NAMED_PREVIEW = 2500;

export async function data(args: string, ctx: CommandContext): Promise<void> {
  const words = args.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return ctx.reply.send(helpMessage('data', ctx.prefix));
  if (words.length > 2) {
    throw new UsageError('data takes a step and, optionally, one artifact name.', `For example ${code(command(ctx.prefix, 'data start model'))}.`);
  }
  const [where, name = null] = words;
  const target = await stepTarget(where, ctx, 'data');
  if (!target) return;
  const { client } = ctx.deps;
  const { run, step } = target;
  let tasks: Task[];
  let totalTasks: number;
  if (target.task !== undefined) {
    tasks = [await client.getTask(run.flow, run.id, step, target.task)];
    totalTasks = 1;
  } else {
    const page = await client.listTasks(run.flow, run.id, step, { limit: TASKS_SHOWN });
    tasks = page.items;
    totalTasks = page.total ?? page.items.length;
  }
  const entries = await Promise.all(
    tasks.map(async (task): Promise<TaskArtifacts & { missing: NotFoundError | null }> => {
      const ref = { flow: run.flow, run: run.id, step, task: task.id };
      if (name === null) return { task, artifacts: await client.listArtifacts(ref), missing: null };
      try {
        const artifact: Artifact = await client.getArtifact(ref, name, { previewLength: NAMED_PREVIEW });
        return { task, artifacts: [artifact], missing: null };
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        return { task, artifacts: [], missing: err };
      }
    }),
  );
  // In a foreach some tasks may lack the artifact; only when none has it is the name wrong.
  const missing = entries.find((e) => e.missing !== null)?.missing;
  if (missing && entries.every((e) => e.missing !== null)) throw missing;
  await ctx.reply.send(dataMessage({ run, step, tasks: entries, totalTasks, name, prefix: ctx.prefix }));
}
