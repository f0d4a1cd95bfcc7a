/** `inspect [query]`: a run's overview, or a step's tasks, or one task. The run inspected
 *  becomes the conversation's run, so `data` and `logs` can follow with a bare step name. */
import { helpMessage } from '../../../views/messages/help';
import { runOverviewMessage } from '../../../views/messages/run-overview';
import { stepMessage, taskMessage } from '../../../views/messages/step';
import { currentRun, setCurrentRun, type CommandContext } from './context';
import { runTarget } from './target';

/** Tasks listed for a step; failed and running ones come first. */
const STEP_TASKS = 100;

export async function inspect(args: string, ctx: CommandContext): Promise<void> {
  if (args === '' && (await currentRun(ctx)) === null) return ctx.reply.send(helpMessage('inspect', ctx.prefix));
  const target = await runTarget(args, ctx, 'inspect');
  if (!target) return;
  const { client, uiUrl } = ctx.deps;
  const { run } = target;
  if (args !== '') await setCurrentRun(ctx, run.pathspec);
  if (target.step !== undefined && target.task !== undefined) {
    const task = await client.getTask(run.flow, run.id, target.step, target.task);
    const ref = { flow: run.flow, run: run.id, step: target.step, task: target.task };
    const exception = task.status === 'failed' ? await client.taskException(ref) : null;
    return ctx.reply.send(taskMessage({ run, task, exception, uiUrl, prefix: ctx.prefix }));
  }
  if (target.step !== undefined) {
    const [step, tasks] = await Promise.all([
      client.getStep(run.flow, run.id, target.step),
      client.listTasks(run.flow, run.id, target.step, { limit: STEP_TASKS, problemsFirst: true }),
    ]);
    return ctx.reply.send(stepMessage({ run, step, tasks, uiUrl, prefix: ctx.prefix }));
  }
  const detail = await client.getRunDetail(run.flow, run.id);
  await ctx.reply.send(runOverviewMessage({ run: detail, uiUrl, prefix: ctx.prefix, current: args !== '' }));
}
