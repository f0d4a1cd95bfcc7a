/** `logs <step> [stdout|stderr]` or `logs <Flow/run/step[/task]> [stdout|stderr]`. */
import type { LogStream, Task } from '../../metaflow/model';
import { helpMessage } from '../../../views/messages/help';
import { logsMessage, type TaskLogs } from '../../../views/messages/logs';
import { code, command } from '../../../views/components/format';
import { UsageError } from '../errors';
import type { CommandContext } from './context';
import { stepTarget } from './target';

/** A foreach shows its first tasks and says how many more there are. */
const TASKS_SHOWN = 3;
/** Lines per stream: the end of a log is what explains how a task ended. */
const TAIL_LINES = 40;
const STREAMS: readonly LogStream[] = ['stdout', 'stderr'];

function isStream(word: string): word is LogStream {
  return (STREAMS as readonly string[]).includes(word);
}

export async function logs(args: string, ctx: CommandContext): Promise<void> {
  const words = args.split(/\s+/).filter((w) => w !== '');
  const streams = words.filter((w) => isStream(w.toLowerCase())).map((w) => w.toLowerCase() as LogStream);
  const rest = words.filter((w) => !isStream(w.toLowerCase()));
  if (rest.length === 0) return ctx.reply.send(helpMessage('logs', ctx.prefix));
  if (rest.length > 1 || streams.length > 1) {
    throw new UsageError('logs takes a step and, optionally, stdout or stderr.', `For example ${code(command(ctx.prefix, 'logs train stderr'))}.`);
  }
  const target = await stepTarget(rest[0], ctx, 'logs');
  if (!target) return;
  const { client } = ctx.deps;
  const { run, step } = target;
  let tasks: Task[];
  let totalTasks: number;
  if (target.task !== undefined) {
    tasks = [await client.getTask(run.flow, run.id, step, target.task)];
    totalTasks = 1;
  } else {
    const page = await client.listTasks(run.flow, run.id, step, { limit: TASKS_SHOWN, problemsFirst: true });
    tasks = page.items;
    totalTasks = page.total ?? page.items.length;
  }
  const wanted = streams.length > 0 ? streams : STREAMS;
  const entries: TaskLogs[] = await Promise.all(
    tasks.map(async (task) => {
      const ref = { flow: run.flow, run: run.id, step, task: task.id };
      const tails = await Promise.all(wanted.map((stream) => client.readLog(ref, { stream, limit: TAIL_LINES })));
      return {
        task,
        attempt: tails[0]?.attempt ?? task.attempt,
        streams: tails.map((t, i) => ({ stream: wanted[i], lines: t.lines, earlier: t.older !== null })),
      };
    }),
  );
  await ctx.reply.send(logsMessage({ run, step, tasks: entries, totalTasks, prefix: ctx.prefix }));
}
