/**
 * Slack's Block Kit limits and the helpers view builders use to stay inside them.
 *
 * Every count is in UTF-16 code units (`string.length`), which is how Slack counts characters.
 * Where Slack's sources disagree, the safe (smaller) value is used; see
 * /work/shared/docs/slack-platform.md §1 for the sources of each group.
 */

// Surfaces (blocks reference; modal views reference; views.* errors).
export const MESSAGE_BLOCKS_MAX = 50;
export const MODAL_BLOCKS_MAX = 100;
export const HOME_BLOCKS_MAX = 100;
/** "250 kB" is not defined further; 250,000 bytes is the smaller reading. */
export const VIEW_PAYLOAD_BYTES_MAX = 250_000;
export const VIEW_TITLE_MAX = 24;
export const VIEW_SUBMIT_MAX = 24;
export const VIEW_CLOSE_MAX = 24;
export const PRIVATE_METADATA_MAX = 3000;
export const CALLBACK_ID_MAX = 255;
export const EXTERNAL_ID_MAX = 255;
/** The root modal plus two pushes (views.push `push_limit_reached`). */
export const VIEW_STACK_MAX = 3;

// Messages (changelog 2018-04 "Truncating really long messages"; chat.postMessage args/errors).
/** Slack cuts longer `text` (with warning `message_truncated`). */
export const MESSAGE_TEXT_MAX = 40_000;
/** What Slack recommends and what builders should aim for. */
export const MESSAGE_TEXT_RECOMMENDED_MAX = 4000;
export const MARKDOWN_TEXT_ARG_MAX = 12_000;
export const MESSAGE_ATTACHMENTS_MAX = 100;
/** Undocumented cumulative cap on the text inside a message's blocks (`msg_blocks_too_long`),
 *  reported between 12,000 and 13,300 (bolt-js #2509, #2867); the low end is the safe one. */
export const MESSAGE_BLOCKS_TEXT_MAX = 12_000;

// Text objects (composition objects reference).
export const TEXT_OBJECT_MIN = 1;
export const TEXT_OBJECT_MAX = 3000;

// Blocks (block reference pages).
export const BLOCK_ID_MAX = 255;
export const SECTION_TEXT_MAX = 3000;
export const SECTION_FIELDS_MAX = 10;
export const SECTION_FIELD_TEXT_MAX = 2000;
export const HEADER_TEXT_MAX = 150;
export const CONTEXT_ELEMENTS_MAX = 10;
export const ACTIONS_ELEMENTS_MAX = 25;
export const INPUT_LABEL_MAX = 2000;
export const INPUT_HINT_MAX = 2000;
export const IMAGE_URL_MAX = 3000;
export const IMAGE_ALT_TEXT_MAX = 2000;
export const IMAGE_TITLE_MAX = 2000;
export const MARKDOWN_BLOCK_TEXT_MAX = 12_000;

// Elements (block elements reference pages).
export const ACTION_ID_MAX = 255;
export const BUTTON_TEXT_MAX = 75;
/** Longer button text is accepted but visibly cut by clients. */
export const BUTTON_TEXT_VISIBLE = 30;
export const BUTTON_VALUE_MAX = 2000;
export const BUTTON_URL_MAX = 3000;
export const ACCESSIBILITY_LABEL_MAX = 75;
export const PLACEHOLDER_MAX = 150;
export const SELECT_OPTIONS_MAX = 100;
export const SELECT_OPTION_GROUPS_MAX = 100;
/** Newer validators accept 1; older ones required 2. */
export const OVERFLOW_OPTIONS_MIN = 2;
export const OVERFLOW_OPTIONS_MAX = 5;
export const CHECKBOXES_OPTIONS_MAX = 10;
export const RADIO_OPTIONS_MAX = 10;
export const PLAIN_TEXT_INPUT_LENGTH_MAX = 3000;
export const FILE_INPUT_MAX_FILES = 10;

// Composition objects (option, option group and confirmation dialog references).
export const OPTION_TEXT_MAX = 75;
/** docs.slack.dev and python-slack-sdk; `@slack/types` still says 75. */
export const OPTION_VALUE_MAX = 150;
export const OPTION_DESCRIPTION_MAX = 75;
export const OPTION_URL_MAX = 3000;
export const OPTION_GROUP_LABEL_MAX = 75;
export const CONFIRM_TITLE_MAX = 100;
export const CONFIRM_TEXT_MAX = 300;
export const CONFIRM_BUTTON_MAX = 30;

export type Surface = 'message' | 'modal' | 'home';

export const SURFACE_BLOCKS_MAX: Readonly<Record<Surface, number>> = {
  message: MESSAGE_BLOCKS_MAX,
  modal: MODAL_BLOCKS_MAX,
  home: HOME_BLOCKS_MAX,
};

export const ELLIPSIS = '…';

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The longest prefix of `text` of at most `max` code units that does not end inside a
 *  surrogate pair (half an emoji renders as garbage and Slack may reject it). */
function safePrefix(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, Math.max(0, end));
}

/** `text` cut to at most `max` code units, ending with `marker` when anything was cut. */
export function truncate(text: string, max: number, marker: string = ELLIPSIS): string {
  if (text.length <= max) return text;
  if (marker.length >= max) return safePrefix(marker, max);
  return safePrefix(text, max - marker.length) + marker;
}

/** Makes any value safe inside mrkdwn: Slack reads `<…>` as links/mentions and `&` as an entity. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const FENCE = '```';
const ZWSP = '\u200b';

/** Escaped for mrkdwn, with a zero-width space between adjacent backticks so that a log line
 *  can never close the code block early. */
function escapeCode(text: string): string {
  return escapeMrkdwn(text).replace(/`(?=`)/g, `\`${ZWSP}`);
}

export interface CodeBlockOptions {
  /** Which end of a cut text to keep; logs are read from the end. Default `head`. */
  keep?: 'head' | 'tail';
}

/**
 * `text` as an escaped mrkdwn code block of at most `max` code units. A cut text keeps whole
 * code points and says how much is missing: "… (N more characters)" after the block when the
 * head is kept, "… (N earlier characters)" before it when the tail is kept. N counts UTF-16
 * code units of the original text, like every limit here.
 */
export function codeBlock(text: string, max: number, options: CodeBlockOptions = {}): string {
  const keepTail = options.keep === 'tail';
  const wrap = (body: string): string => `${FENCE}\n${body}\n${FENCE}`;
  const whole = wrap(escapeCode(text));
  if (whole.length <= max) return whole;

  const note = (omitted: number): string =>
    keepTail ? `${ELLIPSIS} (${omitted} earlier characters)\n` : `\n${ELLIPSIS} (${omitted} more characters)`;
  // Sized for the largest possible count, so the body budget below always holds.
  const budget = max - wrap('').length - note(text.length).length;
  if (budget < 0) return truncate(note(text.length).trim(), max);

  const points = Array.from(text);
  const order = points.map((_, i) => (keepTail ? points.length - 1 - i : i));
  let used = 0;
  let keptUnits = 0;
  let kept = 0;
  for (const i of order) {
    // A backtick followed by one costs a zero-width space too; counting it even when the next
    // one is cut off errs on the short side.
    const cost = escapeMrkdwn(points[i]).length + (points[i] === '`' && points[i + 1] === '`' ? 1 : 0);
    if (used + cost > budget) break;
    used += cost;
    keptUnits += points[i].length;
    kept += 1;
  }
  const slice = keepTail ? points.slice(points.length - kept) : points.slice(0, kept);
  const body = escapeCode(slice.join(''));
  const omitted = text.length - keptUnits;
  return keepTail ? note(omitted) + wrap(body) : wrap(body) + note(omitted);
}

/** `items` in consecutive groups of `size` (the last one may be shorter). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

export interface FitBlocksInput<B> {
  /** Blocks that always come first (header, context …). */
  before?: readonly B[];
  /** One entry per item, each the blocks that show it; an item is kept whole or not at all. */
  items: readonly (readonly B[])[];
  /** Blocks that always come last (paging buttons …). */
  after?: readonly B[];
  max: number;
  /** The block that says how many items did not fit, e.g. "12 more runs, open …". */
  more: (omitted: number) => B;
}

export interface FittedBlocks<B> {
  blocks: B[];
  shown: number;
  omitted: number;
}

/** As many whole items as fit in `max` blocks next to the fixed ones, plus a "more" block
 *  when some were left out. Throws when the fixed blocks alone do not fit: that is a bug in
 *  the builder, not data to truncate. */
export function fitBlocks<B>({ before = [], items, after = [], max, more }: FitBlocksInput<B>): FittedBlocks<B> {
  const fixed = before.length + after.length;
  const all = items.reduce((sum, item) => sum + item.length, 0);
  if (fixed + all <= max) {
    return { blocks: [...before, ...items.flat(), ...after], shown: items.length, omitted: 0 };
  }
  const room = max - fixed - 1;
  if (room < 0) throw new RangeError(`${fixed} fixed blocks and a "more" block do not fit in ${max}`);
  const kept: B[] = [];
  let shown = 0;
  for (const item of items) {
    if (kept.length + item.length > room) break;
    kept.push(...item);
    shown += 1;
  }
  const omitted = items.length - shown;
  return { blocks: [...before, ...kept, more(omitted), ...after], shown, omitted };
}
