/** `runs`: every flow with its latest run; `runs <query>`: the runs a query matches, newest
 *  first. Both page with a "More" button (see listeners/actions). */
import type { MetaflowClient } from '../../metaflow/client';
import { mapLimit } from '../../metaflow/concurrency';
import { NotFoundError } from '../../metaflow/errors';
import type { Flow, Page, Run } from '../../metaflow/model';
import { formatRunQuery, parseRunQuery } from '../../metaflow/runspec';
import { flowsListMessage, runsListMessage, type FlowEntry } from '../../../views/messages/runs';
import type { CommandContext } from './context';

const RUNS_PAGE = 20;
const FLOWS_PAGE = 20;
/** Latest-run lookups in flight at once for a page of flows. */
const FLOW_CONCURRENCY = 8;

export async function runs(args: string, ctx: CommandContext): Promise<void> {
  if (args === '') return flowsPage(0, ctx, false);
  const query = parseRunQuery(args);
  // Canonical text, so that "More" asks for the same runs again; a pathspec lists its flow.
  const text = query.run === undefined ? formatRunQuery(query) : query.flow;
  return runsPage(text, null, 0, ctx, false);
}

/** One page of the runs `query` matches; `latest run of …` lists just that run. */
export async function runsPage(query: string, cursor: string | null, offset: number, ctx: CommandContext, replace: boolean): Promise<void> {
  const found = await ctx.deps.client.resolve(parseRunQuery(query), { limit: RUNS_PAGE, cursor });
  const page: Page<Run> = found.kind === 'runs' ? found.page : { items: [found.run], next: null, total: 1 };
  await ctx.reply.send(runsListMessage({ query, page, offset, uiUrl: ctx.deps.uiUrl, prefix: ctx.prefix }), { replace });
}

/** Each flow with its newest run. */
export function latestRuns(client: MetaflowClient, flows: readonly Flow[]): Promise<FlowEntry[]> {
  return mapLimit(flows, FLOW_CONCURRENCY, async (flow) => {
    try {
      const page = await client.listRuns(flow.name, { limit: 1 });
      return { flow, latest: page.items[0] ?? null };
    } catch (err) {
      // A flow listed but unreadable (removed meanwhile, no access) is shown without runs.
      if (err instanceof NotFoundError) return { flow, latest: null };
      throw err;
    }
  });
}

export async function flowsPage(offset: number, ctx: CommandContext, replace: boolean): Promise<void> {
  const { client } = ctx.deps;
  const flows = await client.listFlows();
  const entries = await latestRuns(client, flows.slice(offset, offset + FLOWS_PAGE));
  await ctx.reply.send(flowsListMessage({ entries, offset, total: flows.length, uiUrl: ctx.deps.uiUrl, prefix: ctx.prefix }), { replace });
}
