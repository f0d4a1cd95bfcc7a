/** What a command is about: a run named in its arguments or the conversation's run, and for
 *  `data` and `logs` a step (or task) of one. */
import type { Run } from '../../metaflow/model';
import { parseRunQuery, type RunQuery } from '../../metaflow/runspec';
import { isStepName } from '../../metaflow/runspec/names';
import { chooseRunMessage, noRunsMessage } from '../../../views/messages/choose-run';
import { needRunMessage } from '../../../views/messages/help';
import { code, command } from '../../../views/components/format';
import { UsageError } from '../errors';
import { currentRun, type CommandContext } from './context';

/** Commands that work on one run. */
export type RunCommand = 'inspect' | 'use' | 'status' | 'params' | 'export';

export interface RunTarget {
  run: Run;
  step?: string;
  task?: string;
}

/** A short list to choose from, not a run listing (`runs` pages through all of them). */
const CHOICES = 10;

/**
 * The run `args` names, or the conversation's when `args` is empty. When there is no single
 * run (none chosen yet, several or no matches) this answers the user itself and returns null.
 */
export async function runTarget(args: string, ctx: CommandContext, name: RunCommand): Promise<RunTarget | null> {
  let query: RunQuery;
  if (args === '') {
    const pathspec = await currentRun(ctx);
    if (pathspec === null) {
      await ctx.reply.send(needRunMessage(name, ctx.prefix));
      return null;
    }
    query = parseRunQuery(pathspec);
  } else {
    query = parseRunQuery(args);
  }
  const found = await ctx.deps.client.resolve(query, { limit: CHOICES });
  switch (found.kind) {
    case 'run':
      return { run: found.run };
    case 'step':
      return { run: found.run, step: found.step.name };
    case 'task':
      return { run: found.run, step: found.task.step, task: found.task.id };
    case 'runs':
      if (found.page.items.length === 1 && found.page.next === null) return { run: found.page.items[0] };
      await ctx.reply.send(
        found.page.items.length === 0
          ? noRunsMessage(args, ctx.prefix)
          : chooseRunMessage({ command: name, query: args, page: found.page, uiUrl: ctx.deps.uiUrl, prefix: ctx.prefix }),
      );
      return null;
  }
}

export interface StepTarget {
  run: Run;
  step: string;
  task?: string;
}

/** A pathspec, a UI link or a Slack-formatted link: anything but a bare step name. */
function looksLikeQuery(word: string): boolean {
  return word.includes('/') || word.startsWith('<') || /^https?:/i.test(word);
}

/**
 * `where` is a step of the conversation's run (`start`) or a full pathspec
 * (`HelloFlow/42/start[/7]`). Answers with help and returns null when a bare step is named
 * where no run was chosen.
 */
export async function stepTarget(where: string, ctx: CommandContext, name: 'data' | 'logs'): Promise<StepTarget | null> {
  const client = ctx.deps.client;
  if (looksLikeQuery(where)) {
    const query = parseRunQuery(where);
    if (query.run === undefined) {
      throw new UsageError(`${name} needs a step of a specific run.`, `For example ${code(command(ctx.prefix, `${name} ${query.flow}/<run>/start`))}.`);
    }
    if (query.step === undefined) {
      const steps = await client.listSteps(query.flow, query.run);
      const choices = steps.map((s) => code(s.name)).join(', ');
      throw new UsageError(`Which step of ${query.flow}/${query.run}?`, `Add one of ${choices}, e.g. ${code(command(ctx.prefix, `${name} ${query.flow}/${query.run}/${steps[0]?.name ?? 'start'}`))}.`);
    }
    const found = await client.resolve(query);
    if (found.kind === 'task') return { run: found.run, step: found.task.step, task: found.task.id };
    if (found.kind === 'step') return { run: found.run, step: found.step.name };
    throw new UsageError(`${name} needs a step.`, `For example ${code(command(ctx.prefix, `${name} HelloFlow/42/start`))}.`);
  }
  const pathspec = await currentRun(ctx);
  if (pathspec === null) {
    await ctx.reply.send(needRunMessage(name, ctx.prefix));
    return null;
  }
  if (!isStepName(where)) {
    throw new UsageError(`"${where}" is not a step name.`, `Name a step such as ${code(command(ctx.prefix, `${name} start`))}, or a pathspec such as ${code('HelloFlow/42/start')}.`);
  }
  const query = parseRunQuery(pathspec);
  const found = await client.resolve({ ...query, step: where });
  if (found.kind !== 'step') throw new UsageError(`${pathspec} is not a run.`, `Choose a run again with ${code(command(ctx.prefix, 'use <query>'))}.`);
  return { run: found.run, step: found.step.name };
}
