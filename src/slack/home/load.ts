/**
 * What App Home shows a user: their recent runs across flows, and the failed and running runs
 * of the flows channels subscribe to.
 */
import type { Logger, webApi } from '@slack/bolt';
import { mapLimit } from '../../metaflow/concurrency';
import { NotFoundError } from '../../metaflow/errors';
import type { Run } from '../../metaflow/model';
import { MY_RUNS_MAX, type HomeInput, type Watched } from '../../../views/home';
import type { SlackDeps } from '../deps';
import type { MetaflowUsers } from './users';

/** Flows read at once, so a backend with hundreds of flows is not asked for all at once. */
const FLOW_CONCURRENCY = 8;
/** The newest runs of a watched flow that are looked at for failures and running ones. */
const WATCHED_RECENT = 20;

const newestFirst = (a: Run, b: Run): number => b.createdAt - a.createdAt;

/** A flow removed (or hidden) since it was listed or subscribed to has no runs to show. */
async function runsOf(read: () => Promise<Run[]>): Promise<Run[]> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof NotFoundError) return [];
    throw err;
  }
}

async function myRuns(deps: SlackDeps, me: string): Promise<Run[]> {
  const flows = await deps.client.listFlows();
  const perFlow = await mapLimit(flows, FLOW_CONCURRENCY, (flow) =>
    runsOf(async () => (await deps.client.listRuns(flow.name, { user: me, limit: MY_RUNS_MAX })).items),
  );
  return perFlow.flat().sort(newestFirst).slice(0, MY_RUNS_MAX);
}

async function watched(deps: SlackDeps, logger: Logger): Promise<Watched | null> {
  let flows: string[];
  try {
    flows = [...new Set((await deps.state.allSubscriptions()).map((s) => s.flow))];
  } catch (err) {
    logger.warn('Could not read subscriptions for App Home:', err);
    return null;
  }
  // A status filter would read a flow's whole history to fill a page; the newest runs are
  // where failures that matter now are.
  const perFlow = await mapLimit(flows, FLOW_CONCURRENCY, (flow) =>
    runsOf(async () => (await deps.client.listRuns(flow, { limit: WATCHED_RECENT })).items.filter((r) => r.status === 'failed' || r.status === 'running')),
  );
  return { flows: flows.length, runs: perFlow.flat().sort(newestFirst) };
}

export async function homeInput(deps: SlackDeps, users: MetaflowUsers, userId: string, io: { client: webApi.WebClient; logger: Logger }): Promise<HomeInput> {
  const me = await users.match(userId, io.client, io.logger);
  const [mine, watching] = await Promise.all([me ? myRuns(deps, me.name) : [], watched(deps, io.logger)]);
  return { me, rule: users.mapping.rule, myRuns: mine, watched: watching, uiUrl: deps.uiUrl };
}
