/** A modal that could not show what was asked: why, and a way back. */
import type { ModalView } from '@slack/types';
import { BLOCK } from '../../src/slack/ids';
import type { Location } from '../../src/slack/navigation';
import { actions, context, section } from '../components/blocks';
import { code } from '../components/format';
import type { SlackMessage } from '../components/message';
import { modal } from '../components/modal';
import { backButton } from '../components/nav';

export interface ErrorViewInput {
  /** From src/slack/errors.ts `failureMessage`: one sentence and what to try next. */
  failure: SlackMessage;
  /** Where the view was going, for Back; null when there is nowhere to go back to. */
  at: Location | null;
  metadata: string;
  pushed: boolean;
}

export function errorView({ failure, at, metadata, pushed }: ErrorViewInput): ModalView {
  const back = at ? backButton(at) : [];
  return modal({
    title: 'Metaflow',
    metadata,
    pushed,
    blocks: [...failure.blocks, ...(back.length > 0 ? [actions(back, BLOCK.navigation)] : [])],
  });
}

/** A view whose state the bot cannot read: written by another version, or not by the bot. */
export function outOfDateView(): ModalView {
  return modal({
    title: 'Metaflow',
    metadata: '',
    blocks: [
      section(':warning: This view is out of date; reopen it.'),
      context(`${code('/metaflow runs')} opens the runs again, or use *Browse runs* on the bot's Home tab.`),
    ],
  });
}
