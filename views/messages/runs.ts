/** `runs`: every flow with its latest run, or one flow's runs newest first, a page at a time. */
import type { Flow, Page, Run } from '../../src/metaflow/model';
import { ACTION, encodeValue, flowsPageValue, pickRunValue, runsPageValue } from '../../src/slack/ids';
import { escapeMrkdwn } from '../limits';
import { actions, context, header, section } from '../components/blocks';
import { BODY_BUDGET, fitItems, remaining } from '../components/budget';
import { code, command, count, plural } from '../components/format';
import type { SlackBlock, SlackMessage } from '../components/message';
import { runLine } from '../components/run';

export interface RunsListInput {
  /** What was asked, as the user would type it again: `HelloFlow`, `alice's HelloFlow`. */
  query: string;
  page: Page<Run>;
  /** How many runs earlier pages showed. */
  offset: number;
  uiUrl: string | null;
  prefix: string;
}

function range(offset: number, shown: number, total: number | null): string {
  if (offset === 0 && total === shown) return plural(shown, 'run');
  const span = shown === 1 ? count(offset + 1) : `${count(offset + 1)}–${count(offset + shown)}`;
  return total === null ? `Runs ${span}` : `Runs ${span} of ${count(total)}`;
}

export function runsListMessage({ query, page, offset, uiUrl, prefix }: RunsListInput): SlackMessage {
  const title = `Runs of ${query}`;
  if (page.items.length === 0) {
    const text = offset === 0 ? `No runs match ${code(query)}.` : `No more runs of ${code(query)}.`;
    return { text: `No runs match ${query}.`, blocks: [header(title), section(text)] };
  }
  // The cursor is the client's and cannot start mid-page; pages are small enough to fit whole
  // (the note below only shows for pages far beyond RUNS_PAGE).
  const next = page.next ? encodeValue(runsPageValue, { query, cursor: page.next, offset: offset + page.items.length }) : null;
  const tail = next ? [actions([{ text: 'More', actionId: ACTION.runsMore, value: next }])] : [];
  const items = page.items.map((run) => {
    const value = encodeValue(pickRunValue, { command: 'inspect', query: run.pathspec }) ?? undefined;
    return [section(runLine(run, uiUrl), value ? { text: 'Inspect', actionId: ACTION.pickRun, value } : undefined)];
  });
  // The range line depends on how many fit, so it is sized for the longest before fitting.
  const headBudget = remaining(BODY_BUDGET, [header(title), context(`${range(offset, page.items.length, page.total)}, newest first`)]);
  const fitted = fitItems(items, remaining(headBudget, tail), (omitted) =>
    context(`${plural(omitted, 'more run')} on this page did not fit; ${code(command(prefix, 'help runs'))} shows how to narrow the query.`),
  );
  const blocks: SlackBlock[] = [
    header(title),
    context(`${range(offset, fitted.shown, page.total)}, newest first`),
    ...fitted.blocks,
    ...tail,
  ];
  return { text: `${range(offset, fitted.shown, page.total)} of ${query}`, blocks };
}

const MORE_FLOWS = 'More flows';

export interface FlowEntry {
  flow: Flow;
  /** Its newest run, or null when it has none (or none this reader may see). */
  latest: Run | null;
}

export interface FlowsListInput {
  entries: FlowEntry[];
  offset: number;
  total: number;
  uiUrl: string | null;
  prefix: string;
}

export function flowsListMessage({ entries, offset, total, uiUrl, prefix }: FlowsListInput): SlackMessage {
  if (total === 0) {
    return { text: 'No flows yet.', blocks: [header('Flows'), section('There are no flows yet: nothing has run with this Metaflow backend.')] };
  }
  const items = entries.map(({ flow, latest }) => {
    const value = encodeValue(pickRunValue, { command: 'runs', query: flow.name }) ?? undefined;
    const line = latest ? `*${escapeMrkdwn(flow.name)}*  ${runLine(latest, uiUrl)}` : `*${escapeMrkdwn(flow.name)}*  no runs yet`;
    return [section(line, value ? { text: 'Runs', actionId: ACTION.pickRun, value } : undefined)];
  });
  const heading = (end: number): SlackBlock[] => [
    header('Flows'),
    context(`Flows ${count(offset + 1)}–${count(end)} of ${count(total)} with their latest run`),
  ];
  // Room for the heading at its longest and for the "More flows" row, whether or not it comes.
  const afterHeading = remaining(BODY_BUDGET, heading(total));
  const room = { blocks: afterHeading.blocks - 1, text: afterHeading.text - MORE_FLOWS.length };
  const fitted = fitItems(items, room, (omitted) =>
    context(`${plural(omitted, 'more flow')} under *More flows*; ${code(command(prefix, 'runs <Flow>'))} lists one flow.`),
  );
  const end = offset + fitted.shown;
  const next = end < total ? encodeValue(flowsPageValue, { offset: end }) : null;
  const tail = next ? [actions([{ text: MORE_FLOWS, actionId: ACTION.flowsMore, value: next }])] : [];
  return { text: `Flows ${offset + 1}–${end} of ${total}`, blocks: [...heading(end), ...fitted.blocks, ...tail] };
}
