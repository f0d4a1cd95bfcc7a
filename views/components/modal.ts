/**
 * The frame of every modal: title, close button, callback id and where the view is
 * (private_metadata, from src/slack/navigation.ts). Block budget for the bodies: a modal holds
 * 100 blocks and 250 kB; builders keep their text far below that (see each builder), so the
 * byte limit only matters for pathological text, which code.ts sanitizes.
 */
import type { HomeView, ModalView } from '@slack/types';
import { CALLBACK } from '../../src/slack/ids';
import { MODAL_BLOCKS_MAX, VIEW_CLOSE_MAX, VIEW_SUBMIT_MAX, VIEW_TITLE_MAX, truncate } from '../limits';
import type { SlackBlock } from './message';

/** Where a view sits: its encoded navigation, and whether it was pushed onto another. */
export interface Frame {
  metadata: string;
  pushed: boolean;
}

export interface ModalInput {
  title: string;
  blocks: SlackBlock[];
  /** Encoded navigation, or '' for a view no click can come from. */
  metadata: string;
  /** A pushed view's close button goes back to the view under it. */
  pushed?: boolean;
  callbackId?: string;
  submit?: string;
}

function plain(text: string, max: number): { type: 'plain_text'; text: string } {
  return { type: 'plain_text', text: truncate(text === '' ? '–' : text, max) };
}

export function modal({ title, blocks, metadata, pushed = false, callbackId = CALLBACK.screen, submit }: ModalInput): ModalView {
  if (blocks.length > MODAL_BLOCKS_MAX) throw new RangeError(`a modal of ${blocks.length} blocks: the builder's budget is wrong`);
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title, VIEW_TITLE_MAX),
    close: plain(pushed ? 'Back' : 'Close', VIEW_CLOSE_MAX),
    ...(submit ? { submit: plain(submit, VIEW_SUBMIT_MAX) } : {}),
    private_metadata: metadata,
    blocks,
  };
}

export function home(blocks: SlackBlock[], metadata: string): HomeView {
  return { type: 'home', private_metadata: metadata, blocks };
}
