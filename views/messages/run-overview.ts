/** `inspect` on a run: what it is, how it went, its parameters and steps. */
import type { Parameter, RunDetail, Step } from '../../src/metaflow/model';
import { ACTION } from '../../src/slack/ids';
import { escapeMrkdwn } from '../limits';
import { actions, context, header } from '../components/blocks';
import { BODY_BUDGET, packLines, remaining } from '../components/budget';
import { code, command, formatDuration, plural } from '../components/format';
import type { SlackBlock, SlackMessage } from '../components/message';
import { runFields, uiRunUrl } from '../components/run';
import { statusEmoji } from '../components/status';

export interface RunOverviewInput {
  run: RunDetail;
  uiUrl: string | null;
  prefix: string;
  /** The run just became the conversation's run. */
  current: boolean;
}

/** Parameters share the message with the steps; they get at most this much of it. */
const PARAMETER_TEXT_MAX = 3000;

export function parameterLine(p: Parameter): string {
  return `\`${escapeMrkdwn(p.name)}\` = ${code(p.preview, 300)}`;
}

export function stepLine(step: Step): string {
  const tasks = plural(step.taskCount, 'task');
  return `${statusEmoji(step.status)} \`${escapeMrkdwn(step.name)}\`  ·  ${tasks}  ·  ${formatDuration(step.durationMs)}`;
}

export function runOverviewMessage({ run, uiUrl, prefix, current }: RunOverviewInput): SlackMessage {
  const head: SlackBlock[] = [header(run.pathspec), runFields(run)];
  if (current) {
    head.push(
      context(
        `This conversation now looks at this run: ${['status', 'params', 'data <step>', 'logs <step>'].map((c) => code(command(prefix, c))).join(', ')}.`,
      ),
    );
  }
  const url = uiRunUrl(uiUrl, run.flow, run.id);
  const tail = url ? [actions([{ text: 'Open in Metaflow UI', actionId: ACTION.openInUi, url }])] : [];
  let room = remaining(BODY_BUDGET, [...head, ...tail]);

  const body: SlackBlock[] = [];
  if (run.parameters.length > 0) {
    const params = packLines(
      ['*Parameters*', ...run.parameters.map(parameterLine)],
      { blocks: 2, text: Math.min(PARAMETER_TEXT_MAX, room.text) },
      (omitted) => `… ${plural(omitted, 'more parameter')}: ${code(command(prefix, `params ${run.pathspec}`))}`,
    );
    body.push(...params.blocks);
    room = remaining(room, params.blocks);
  }
  const steps = packLines(
    [`*Steps* (${plural(run.steps.length, 'step')} started)`, ...run.steps.map(stepLine)],
    room,
    (omitted) => `… ${plural(omitted, 'more step')}`,
  );
  body.push(...steps.blocks);
  return {
    text: `${run.pathspec}: ${run.status}`,
    blocks: [...head, ...body, ...tail],
  };
}
