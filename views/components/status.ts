/** The one mapping from a Metaflow status to what Slack shows. */
import type { RunStatus } from '../../src/metaflow/model';

const EMOJI: Readonly<Record<RunStatus, string>> = {
  successful: ':white_check_mark:',
  failed: ':x:',
  running: ':hourglass_flowing_sand:',
  lost: ':ghost:',
};

const WORD: Readonly<Record<RunStatus, string>> = {
  successful: 'successful',
  failed: 'failed',
  running: 'running',
  lost: 'lost',
};

export function statusEmoji(status: RunStatus): string {
  return EMOJI[status];
}

/** `:x: failed` */
export function statusLabel(status: RunStatus): string {
  return `${EMOJI[status]} ${WORD[status]}`;
}
