/** How a notice says where a run failed and why: the task, its exception and its stderr tail. */
import type { FailureDetails, RunSnapshot } from '../../src/notify/payload';
import { ACTION, encodeValue, inspectRunValue } from '../../src/slack/ids';
import { codeBlock, escapeMrkdwn } from '../limits';
import { actions, section, type ButtonSpec } from '../components/blocks';
import { code } from '../components/format';
import type { SlackBlock } from '../components/message';
import { uiRunUrl } from '../components/run';
import { exceptionType } from '../messages/step';

const EXCEPTION_MAX = 1500;
const STDERR_MAX = 2500;

/** `step `train`, task `7`, attempt 2` — attempts counted from 1, as the other views do. */
export function failurePlace(failure: FailureDetails): string {
  const parts = [`step \`${escapeMrkdwn(failure.step)}\``];
  if (failure.task !== null) parts.push(`task \`${escapeMrkdwn(failure.task)}\``);
  if (failure.attempt !== null) parts.push(`attempt ${failure.attempt + 1}`);
  return parts.join(', ');
}

/** `ValueError: boom`, for a message's plain-text fallback. */
export function failureSummary(failure: FailureDetails | null): string {
  if (!failure?.exception) return '';
  return `${exceptionType(failure.exception.type)}: ${failure.exception.message}`;
}

/** `with `ValueError`` after a headline, when the exception is known. */
export function exceptionNamed(failure: FailureDetails | null): string {
  return failure?.exception ? ` with ${code(exceptionType(failure.exception.type), 100)}` : '';
}

export function failureBlocks(failure: FailureDetails): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  if (failure.exception) {
    blocks.push(section(`*Exception*\n${codeBlock(failureSummary(failure), EXCEPTION_MAX)}`));
  }
  if (failure.stderr.length > 0) {
    blocks.push(section(`*End of stderr*\n${codeBlock(failure.stderr.join('\n'), STDERR_MAX, { keep: 'tail' })}`));
  }
  return blocks;
}

/** Inspect opens the run (the modal App Home and the runs list open); the UI button only when
 *  a UI is configured. */
export function runButtons(run: RunSnapshot, uiUrl: string | null): SlackBlock[] {
  const buttons: ButtonSpec[] = [];
  const value = encodeValue(inspectRunValue, { flow: run.flow, run: run.id });
  if (value) buttons.push({ text: 'Inspect', actionId: ACTION.inspectRun, value });
  const url = uiRunUrl(uiUrl, run.flow, run.id);
  if (url) buttons.push({ text: 'Open in Metaflow UI', actionId: ACTION.openInUi, url });
  return buttons.length > 0 ? [actions(buttons)] : [];
}
