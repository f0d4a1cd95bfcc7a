/** Where `/metaflow runs …` and `/metaflow inspect …` open their modal, and where an
 *  "Inspect a run…" query leads: a place in Metaflow (navigation.ts `Location`). */
import type { Resolution } from '../../metaflow/client';
import { parseRunQuery, type RunQuery } from '../../metaflow/runspec';
import type { SlackDeps } from '../deps';
import { FIRST_PAGE, NO_FILTER, type Location } from '../navigation';

/** `runs`: the flows; `runs <query>`: the runs it matches (a run's pathspec: its flow's). */
export function runsLocation(args: string): Location {
  if (args === '') return { kind: 'flows', page: 0 };
  const query = parseRunQuery(args);
  if (query.run !== undefined) return { kind: 'runs', flow: query.flow, filter: NO_FILTER, paging: FIRST_PAGE };
  return { kind: 'runs', flow: query.flow, filter: { user: query.user ?? null, tags: query.tags, status: null }, paging: FIRST_PAGE };
}

/** The place a resolved query names; several runs are a filtered list to choose from. */
export function locationOf(found: Resolution, query: RunQuery): Location {
  switch (found.kind) {
    case 'run':
      return { kind: 'run', flow: found.run.flow, run: found.run.id, page: 0 };
    case 'step':
      return { kind: 'step', flow: found.run.flow, run: found.run.id, step: found.step.name, paging: FIRST_PAGE };
    case 'task':
      return { kind: 'task', flow: found.run.flow, run: found.run.id, step: found.task.step, task: found.task.id, page: 0 };
    case 'runs': {
      const [only] = found.page.items;
      if (only && found.page.items.length === 1 && found.page.next === null) return { kind: 'run', flow: only.flow, run: only.id, page: 0 };
      return { kind: 'runs', flow: found.flow, filter: { user: query.user ?? null, tags: query.tags, status: null }, paging: FIRST_PAGE };
    }
  }
}

/** The place a query names, read from Metaflow. */
export async function queryLocation(text: string, deps: SlackDeps): Promise<Location> {
  const query = parseRunQuery(text);
  return locationOf(await deps.client.resolve(query, { limit: 2 }), query);
}

/**
 * `inspect <query>` in `channel`: the place it names, which (when it is in one run) becomes
 * the channel's run like the message version of `inspect` makes it. Without a query: the
 * channel's run, or the "Inspect a run…" input when there is none.
 */
export async function inspectLocation(args: string, deps: SlackDeps, channel: string): Promise<Location> {
  if (args === '') {
    const current = await deps.state.currentRun({ channel });
    return current === null ? { kind: 'inspect' } : queryLocation(current, deps);
  }
  const at = await queryLocation(args, deps);
  if (at.kind === 'run' || at.kind === 'step' || at.kind === 'task') await deps.state.setCurrentRun({ channel }, `${at.flow}/${at.run}`);
  return at;
}
