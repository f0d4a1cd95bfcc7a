/**
 * Run notifications. A channel gets one message per run (the card), posted at the first
 * transition it hears of and edited in place as the run moves on; each later transition is
 * told in the card's thread. The card a channel first sees is the full notice (a failure with
 * its exception and stderr); once edited it stays short, since the thread has the details.
 */
import type { FailureDetails, RunSnapshot } from '../../src/notify/payload';
import type { Transition } from '../../src/state/store';
import { escapeMrkdwn } from '../limits';
import { context, section } from '../components/blocks';
import { code, formatDuration, slackDate } from '../components/format';
import type { SlackBlock, SlackMessage } from '../components/message';
import { runLink } from '../components/run';
import { statusEmoji } from '../components/status';
import { exceptionNamed, failureBlocks, failurePlace, failureSummary, runButtons } from './failure';

export interface NoticeInput {
  transition: Transition;
  /** The run as it was at the transition. */
  run: RunSnapshot;
  failure: FailureDetails | null;
  uiUrl: string | null;
  /** The cutoff after which a silent run counts as lost, to say how long it was silent. */
  lostAfterMs: number;
}

function where(failure: FailureDetails | null): string {
  return failure ? ` in ${failurePlace(failure)}` : '';
}

function headline({ run, failure, uiUrl }: NoticeInput): string {
  const name = runLink(run, run.pathspec, uiUrl);
  const emoji = statusEmoji(run.status);
  switch (run.status) {
    case 'running':
      return `${emoji} ${name} started`;
    case 'successful':
      return `${emoji} ${name} finished successfully after ${formatDuration(run.durationMs)}`;
    case 'failed':
      return `${emoji} ${name} failed${where(failure)}${exceptionNamed(failure)}`;
    case 'lost':
      return `${emoji} ${name} stopped reporting without finishing; it was probably killed`;
  }
}

/** Who, when, and the tags: what tells one run of a flow from the next. */
function about(run: RunSnapshot): SlackBlock {
  const parts = [escapeMrkdwn(run.user ?? 'unknown user'), `started ${slackDate(run.createdAt)}`];
  if (run.finishedAt !== null) parts.push(`finished ${slackDate(run.finishedAt)}`);
  else if (run.status === 'lost') parts.push(`last heard from ${slackDate(run.lastSeenAt)}`);
  if (run.tags.length > 0) parts.push(run.tags.slice(0, 5).map((t) => code(t, 40)).join(' ') + (run.tags.length > 5 ? ' …' : ''));
  return context(parts.join('  ·  '));
}

function fallback({ run, failure }: NoticeInput): string {
  const summary = failureSummary(failure);
  return escapeMrkdwn(`${run.pathspec} ${run.status}${summary ? `: ${summary}` : ''}`);
}

/** The card as first posted: everything the channel needs to act on. */
export function runNotice(input: NoticeInput): SlackMessage {
  const details = input.run.status === 'failed' && input.failure ? failureBlocks(input.failure) : [];
  return {
    text: fallback(input),
    blocks: [section(headline(input)), about(input.run), ...details, ...runButtons(input.run, input.uiUrl)],
  };
}

/** The card as edited by a later transition: the run's state now; the thread has the story. */
export function runCard(input: NoticeInput): SlackMessage {
  return {
    text: fallback(input),
    blocks: [section(headline(input)), about(input.run), ...runButtons(input.run, input.uiUrl)],
  };
}

function eventLine({ transition, run, failure, lostAfterMs }: NoticeInput): string {
  const emoji = statusEmoji(transition === 'started' ? 'running' : transition);
  switch (transition) {
    case 'started':
      return `${emoji} Started ${slackDate(run.createdAt)}`;
    case 'successful':
      return `${emoji} Finished successfully ${slackDate(run.finishedAt ?? run.lastSeenAt)}, after ${formatDuration(run.durationMs)}`;
    case 'failed':
      return `${emoji} Failed ${slackDate(run.finishedAt ?? run.lastSeenAt)}${where(failure)}`;
    case 'lost':
      return `${emoji} Lost: no sign of life since ${slackDate(run.lastSeenAt)} (over ${formatDuration(lostAfterMs)}) and not finished; it was probably killed`;
  }
}

/** A later transition, in the card's thread. A failure comes with its details and buttons. */
export function threadNotice(input: NoticeInput): SlackMessage {
  const failed = input.transition === 'failed';
  const details = failed && input.failure ? failureBlocks(input.failure) : [];
  return {
    text: escapeMrkdwn(`${input.run.pathspec} ${input.transition}${failed && failureSummary(input.failure) ? `: ${failureSummary(input.failure)}` : ''}`),
    blocks: [section(eventLine(input)), ...details, ...(failed ? runButtons(input.run, input.uiUrl) : [])],
  };
}
