/**
 * App Home, one per user: buttons to browse and inspect, the user's recent runs, and what is
 * failing or running in the flows their channels watch.
 *
 * Budget: 9 fixed blocks, MY_RUNS_MAX + WATCHED_RUNS_MAX run sections: 49 of 100 blocks.
 */
import type { HomeView } from '@slack/types';
import type { Run } from '../src/metaflow/model';
import type { UserMapping } from '../src/slack/deps';
import { ACTION, BLOCK, encodeValue, inspectRunValue } from '../src/slack/ids';
import { actions, context, divider, header, section, type ButtonSpec } from './components/blocks';
import { code, plural } from './components/format';
import type { SlackBlock } from './components/message';
import { home } from './components/modal';
import { runLine } from './components/run';

export const MY_RUNS_MAX = 10;
export const WATCHED_RUNS_MAX = 30;

export type UserRule = UserMapping['rule'];

export interface Watched {
  /** How many flows the viewer's channels subscribe to (that the viewer may see). */
  flows: number;
  /** Their failed and running runs among the newest, newest first. */
  runs: Run[];
}

export interface HomeInput {
  /** The viewer's Metaflow user and how it was found; null when the rule finds none. */
  me: { name: string; by: UserRule } | null;
  /** The configured rule, to say how a user would be found. */
  rule: UserRule;
  myRuns: Run[];
  /** Null when the subscriptions, or the viewer's channels, could not be read. */
  watched: Watched | null;
  uiUrl: string | null;
}

const HOW_MATCHED: Readonly<Record<UserRule, string>> = {
  email: 'the name in your Slack email address',
  handle: 'your Slack handle',
  map: "the bot's user map",
};

function runItem(run: Run, uiUrl: string | null): SlackBlock {
  const value = encodeValue(inspectRunValue, { flow: run.flow, run: run.id });
  const button: ButtonSpec | undefined = value ? { text: 'Inspect', actionId: ACTION.inspectRun, value } : undefined;
  return section(runLine(run, uiUrl, run.pathspec), button);
}

function mine({ me, rule, myRuns, uiUrl }: HomeInput): SlackBlock[] {
  const title = section('*Your recent runs*');
  if (me === null) {
    return [
      title,
      context(`I match Slack users to Metaflow users by ${HOW_MATCHED[rule]}, and found none for you; ask whoever runs this bot to add you to its user map.`),
    ];
  }
  const about = context(`As Metaflow user ${code(me.name)} (by ${HOW_MATCHED[me.by]}).`);
  if (myRuns.length === 0) return [title, about, section(`No runs by ${code(me.name)} yet.`)];
  return [title, about, ...myRuns.slice(0, MY_RUNS_MAX).map((run) => runItem(run, uiUrl))];
}

function watchedBlocks(watched: Watched | null, uiUrl: string | null): SlackBlock[] {
  const title = section('*Failing and running in flows your channels watch*');
  if (watched === null) return [title, context("I can't read your channels' subscriptions right now; try Refresh in a minute.")];
  if (watched.flows === 0) return [title, context(`None of your channels watches a flow yet: ${code('/metaflow watch <Flow>')} in a channel starts.`)];
  if (watched.runs.length === 0) {
    return [title, context(`Nothing is failing or running in the ${plural(watched.flows, 'watched flow')}.`)];
  }
  const shown = watched.runs.slice(0, WATCHED_RUNS_MAX);
  const more = watched.runs.length - shown.length;
  return [
    title,
    ...shown.map((run) => runItem(run, uiUrl)),
    ...(more > 0 ? [context(`${plural(more, 'more run')} not shown; *Browse runs* has them all.`)] : []),
  ];
}

export function homeView(input: HomeInput): HomeView {
  const buttons: ButtonSpec[] = [
    { text: 'Browse runs', actionId: ACTION.homeBrowse, primary: true },
    { text: 'Inspect a run…', actionId: ACTION.homeInspect },
    { text: 'Refresh', actionId: ACTION.homeRefresh },
  ];
  return home(
    [header('Metaflow'), actions(buttons, BLOCK.homeActions), divider(), ...mine(input), divider(), ...watchedBlocks(input.watched, input.uiUrl)],
    // The publisher records what it published here (src/slack/home/publisher.ts).
    '',
  );
}
