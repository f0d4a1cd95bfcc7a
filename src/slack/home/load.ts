/**
 * What App Home shows a user: their recent runs across flows, and the failed and running runs
 * of the flows that the channels they are in subscribe to (only flows they may see).
 */
import type { Logger, webApi } from '@slack/bolt';
import { mapLimit } from '../../metaflow/concurrency';
import { NotFoundError } from '../../metaflow/errors';
import type { Run } from '../../metaflow/model';
import { MY_RUNS_MAX, type HomeInput, type Watched } from '../../../views/home';
import type { SlackDeps } from '../deps';
import type { UserChannels } from './channels';
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

async function watched(deps: SlackDeps, channels: ReadonlySet<string> | null, logger: Logger): Promise<Watched | null> {
  if (channels === null) return null;
  let flows: string[];
  try {
    const subscribed = new Set((await deps.state.allSubscriptions()).filter((s) => channels.has(s.channel)).map((s) => s.flow));
    // Under an access policy, a flow the user may not see is not counted either.
    flows = (await deps.client.listFlows()).map((f) => f.name).filter((f) => subscribed.has(f));
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

export interface HomeReaders {
  users: MetaflowUsers;
  channels: UserChannels;
}

export async function homeInput(deps: SlackDeps, readers: HomeReaders, userId: string, io: { client: webApi.WebClient; logger: Logger }): Promise<HomeInput> {
  const [me, channels] = await Promise.all([readers.users.match(userId, io.client, io.logger), readers.channels.of(userId, io.client, io.logger)]);
  const [mine, watching] = await Promise.all([me ? myRuns(deps, me.name) : [], watched(deps, channels, io.logger)]);
  return { me, rule: readers.users.mapping.rule, myRuns: mine, watched: watching, uiUrl: deps.uiUrl };
}
