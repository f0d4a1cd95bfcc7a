/** A query that matched several runs: a short list, each with a button that runs the command
 *  on that run; or the answer when it matched none. */
import type { Page, Run } from '../../src/metaflow/model';
import { ACTION, encodeValue, pickRunValue } from '../../src/slack/ids';
import { context, section } from '../components/blocks';
import { BODY_BUDGET, fitItems, remaining } from '../components/budget';
import { code, command, count, plural } from '../components/format';
import type { SlackMessage } from '../components/message';
import { runLine } from '../components/run';

export interface ChooseRunInput {
  /** The command to run on the chosen run, e.g. `inspect`. */
  command: string;
  query: string;
  page: Page<Run>;
  uiUrl: string | null;
  prefix: string;
}

const BUTTON_LABEL: Readonly<Record<string, string>> = {
  inspect: 'Inspect',
  use: 'Use',
  status: 'Status',
  params: 'Parameters',
  export: 'Export',
};

export function chooseRunMessage({ command: name, query, page, uiUrl, prefix }: ChooseRunInput): SlackMessage {
  const known = page.total ?? (page.next === null ? page.items.length : null);
  const matched = known === null ? `${count(page.items.length)}+ runs` : plural(known, 'run');
  const intro = section(`${code(query)} matches ${matched}. Which one?`);
  const example = page.items[0] ? code(command(prefix, `${name} ${page.items[0].pathspec}`)) : '';
  const outro = context(
    page.next
      ? `These are the newest ${count(page.items.length)}. Narrow the query (\`alice's …\`, \`tagged …\`) or name the run: ${example}`
      : `Or name the run: ${example}`,
  );
  const items = page.items.map((run) => {
    const value = encodeValue(pickRunValue, { command: name, query: run.pathspec }) ?? undefined;
    const button = value ? { text: BUTTON_LABEL[name] ?? 'Choose', actionId: ACTION.pickRun, value } : undefined;
    return [section(runLine(run, uiUrl), button)];
  });
  const fitted = fitItems(items, remaining(BODY_BUDGET, [intro, outro]), (omitted) => context(`${plural(omitted, 'more run')} not shown.`));
  return { text: `${query} matches ${matched}. Which one?`, blocks: [intro, ...fitted.blocks, outro] };
}

export function noRunsMessage(query: string, prefix: string): SlackMessage {
  return {
    text: `No runs match ${query}.`,
    blocks: [section(`No runs match ${code(query)}. ${code(command(prefix, 'runs'))} lists the flows and their latest runs.`)],
  };
}
