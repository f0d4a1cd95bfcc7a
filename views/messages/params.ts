/** `params`: the values a run was started with. */
import type { Parameter, Run } from '../../src/metaflow/model';
import { escapeMrkdwn } from '../limits';
import { section } from '../components/blocks';
import { BODY_BUDGET, LINE_MAX, packLines, remaining } from '../components/budget';
import { code, command, plural } from '../components/format';
import type { SlackMessage } from '../components/message';
import { runLink } from '../components/run';

export interface ParamsInput {
  run: Run;
  parameters: Parameter[];
  uiUrl: string | null;
  prefix: string;
}

function line(p: Parameter): string {
  return `• \`${escapeMrkdwn(p.name)}\` _${escapeMrkdwn(p.type)}_  ${code(p.preview, LINE_MAX - 200)}`;
}

export function paramsMessage({ run, parameters, uiUrl, prefix }: ParamsInput): SlackMessage {
  const title = section(`*Parameters* of ${runLink(run, run.pathspec, uiUrl)}`);
  if (parameters.length === 0) {
    return { text: `${run.pathspec} has no parameters.`, blocks: [section(`${runLink(run, run.pathspec, uiUrl)} has no parameters.`)] };
  }
  const lines = packLines(parameters.map(line), remaining(BODY_BUDGET, [title]), (omitted) =>
    `… ${plural(omitted, 'more parameter')}; ${code(command(prefix, `export ${run.pathspec}`))} has them all.`,
  );
  return { text: `${plural(parameters.length, 'parameter')} of ${run.pathspec}`, blocks: [title, ...lines.blocks] };
}
