/**
 * Block budget arithmetic shared by the message builders. A message may carry 50 blocks and
 * about 12,000 characters of text in all (limits.ts); a reply keeps one block and a few words
 * for its footer (the "Share in channel" button), so a body gets 49 blocks and 11,900
 * characters. Lists that do not fit end with "N more" rather than failing.
 */
import { MESSAGE_BLOCKS_MAX, MESSAGE_BLOCKS_TEXT_MAX, SECTION_TEXT_MAX, truncate } from '../limits';
import { blocksTextLength } from '../validate';
import { section } from './blocks';
import type { SlackBlock } from './message';

const FOOTER_BLOCKS = 1;
const FOOTER_TEXT = 100;

/** One list line never takes more than this, so a single huge value cannot crowd out the rest. */
export const LINE_MAX = 1000;

export interface Budget {
  blocks: number;
  text: number;
}

export const BODY_BUDGET: Readonly<Budget> = { blocks: MESSAGE_BLOCKS_MAX - FOOTER_BLOCKS, text: MESSAGE_BLOCKS_TEXT_MAX - FOOTER_TEXT };

export function textOf(blocks: readonly SlackBlock[]): number {
  return blocksTextLength(blocks);
}

/** What is left of `budget` once `blocks` are placed. */
export function remaining(budget: Budget, blocks: readonly SlackBlock[]): Budget {
  return { blocks: budget.blocks - blocks.length, text: budget.text - textOf(blocks) };
}

export interface Fitted {
  blocks: SlackBlock[];
  shown: number;
  omitted: number;
}

/**
 * As many whole items (each a few blocks) as fit in `budget`, then a block from `more` when
 * some were left out. Like limits.ts `fitBlocks`, but it also counts text, which a list of
 * code blocks runs out of long before it runs out of blocks.
 */
export function fitItems(items: readonly (readonly SlackBlock[])[], budget: Budget, more: (omitted: number) => SlackBlock): Fitted {
  const all = items.flat();
  if (all.length <= budget.blocks && textOf(all) <= budget.text) return { blocks: all, shown: items.length, omitted: 0 };
  // Sized for the longest count, so the note always fits in what is kept back for it.
  const note = more(items.length);
  let left = { blocks: budget.blocks - 1, text: budget.text - textOf([note]) };
  if (left.blocks < 0 || left.text < 0) throw new RangeError('a budget must leave room for the "more" block');
  const kept: SlackBlock[] = [];
  let shown = 0;
  for (const item of items) {
    const next = remaining(left, item);
    if (next.blocks < 0 || next.text < 0) break;
    kept.push(...item);
    left = next;
    shown += 1;
  }
  return { blocks: [...kept, more(items.length - shown)], shown, omitted: items.length - shown };
}

/**
 * Lines packed into as few sections as the 3,000-character section limit allows, within
 * `budget`; when some do not fit, the last section ends with `more(omitted)`.
 */
export function packLines(lines: readonly string[], budget: Budget, more: (omitted: number) => string): Fitted {
  const cut = lines.map((line) => truncate(line, LINE_MAX));
  const reserve = more(cut.length).length + 1;
  const texts: string[] = [];
  let used = 0;
  let shown = 0;
  for (const line of cut) {
    const last = texts.length - 1;
    const joined = last >= 0 ? `${texts[last]}\n${line}` : null;
    const isLast = shown === cut.length - 1;
    const room = isLast ? 0 : reserve;
    if (joined !== null && joined.length + room <= SECTION_TEXT_MAX && used + line.length + 1 + room <= budget.text) {
      texts[last] = joined;
      used += line.length + 1;
    } else if (texts.length < budget.blocks && line.length + room <= SECTION_TEXT_MAX && used + line.length + room <= budget.text) {
      texts.push(line);
      used += line.length;
    } else {
      break;
    }
    shown += 1;
  }
  const omitted = cut.length - shown;
  if (omitted > 0) {
    const note = more(omitted);
    if (texts.length === 0) texts.push(note);
    else texts[texts.length - 1] += `\n${note}`;
  }
  return { blocks: texts.map((t) => section(t)), shown, omitted };
}
