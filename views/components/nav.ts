/** The controls every modal shares: Back, paging, and the note after an upload. */
import { ACTION, BLOCK, encodeValue, nextPageValue } from '../../src/slack/ids';
import { parentOf, type Location } from '../../src/slack/navigation';
import { actions, context, type ButtonSpec } from './blocks';
import { code } from './format';
import type { SlackBlock } from './message';

export function backButton(at: Location): ButtonSpec[] {
  return parentOf(at) ? [{ text: '← Back', actionId: ACTION.back }] : [];
}

export interface PagingInput {
  /** 0-based. */
  page: number;
  /** Whether "Previous" returns to the page before, or (a trail cut short) to the first. */
  previous: 'page' | 'first' | null;
  /** The next page: its cursor for cursor lists, true for numbered pages; null on the last. */
  next: string | true | null;
  labels?: { previous: string; first: string; next: string };
}

/** Previous / Next, or nothing on a list of one page. */
export function pagingRow({ page, previous, next, labels = { previous: '← Previous', first: '⇤ First page', next: 'Next →' } }: PagingInput): SlackBlock[] {
  const buttons: ButtonSpec[] = [];
  if (previous !== null && page > 0) {
    buttons.push({ text: previous === 'first' ? labels.first : labels.previous, actionId: ACTION.pagePrevious });
  }
  if (next !== null) {
    const value = encodeValue(nextPageValue, next === true ? {} : { cursor: next });
    if (value !== null) buttons.push({ text: labels.next, actionId: ACTION.pageNext, value });
  }
  return buttons.length > 0 ? [actions(buttons, BLOCK.paging)] : [];
}

/** "Previous" for a cursor list: back one page while the trail reaches, else to the first. */
export function cursorPrevious(paging: { page: number; trail: readonly unknown[] }): 'page' | 'first' | null {
  if (paging.page === 0) return null;
  return paging.trail.length > 0 ? 'page' : 'first';
}

/** What just happened (a file posted, or why it was not), in the view the user is looking at. */
export function noticeBlocks(notice: string | undefined): SlackBlock[] {
  return notice ? [context(notice)] : [];
}

export const POSTING_NOTICE = ':hourglass_flowing_sand: Posting the file…';

export const NO_CONVERSATION_NOTICE = 'There is no conversation to post the file in: open this from a channel, or from the Home tab.';

export function postedNotice(filename: string, channel: string): string {
  return `:page_facing_up: Posted ${code(filename)} in <#${channel}>.`;
}
