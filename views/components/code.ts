/**
 * Long text (artifact values, logs) as mrkdwn code blocks, split over as many sections as it
 * needs without losing or garbling a character: every block is escaped, at most
 * SECTION_TEXT_MAX long, and never ends inside an escape, a surrogate pair or a run of
 * backticks that could close the block early.
 */
import { escapeMrkdwn, SECTION_TEXT_MAX } from '../limits';
import { section } from './blocks';
import type { SlackBlock } from './message';

const FENCE = '```';
const ZWSP = '\u200b';
const REPLACEMENT = '\ufffd';
/** Room inside a section once the fences and their newlines are in. */
const BODY_MAX = SECTION_TEXT_MAX - 2 * (FENCE.length + 1);

// Terminal colours are noise in Slack; other control characters and lone surrogates would cost
// up to six bytes each of the view's 250 kB as JSON escapes, and show as nothing useful.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` fit for a code block: colours removed, other control characters replaced. */
export function sanitize(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, REPLACEMENT);
}

/** Worst-case UTF-8 bytes one character of sanitized text costs once escaped for mrkdwn and
 *  JSON (`&` becomes `&amp;`): what callers size their pages with. */
export const BYTES_PER_CHAR_MAX = 5;

/** The code blocks' bodies: escaped text split at character boundaries. */
export function codeBodies(text: string): string[] {
  const bodies: string[] = [];
  let body = '';
  let last = '';
  for (const ch of text) {
    const escaped = escapeMrkdwn(ch);
    // A backtick right after another gets a zero-width space before it, so no run of them can
    // close the fence; a new block starts such runs afresh.
    const piece = ch === '`' && last === '`' ? ZWSP + escaped : escaped;
    if (body.length + piece.length > BODY_MAX) {
      bodies.push(body);
      body = escaped;
    } else {
      body += piece;
    }
    last = ch;
  }
  if (body !== '') bodies.push(body);
  return bodies;
}

/** `text` as sections of code blocks: all of it, so callers bound the text, not the blocks. */
export function codeSections(text: string): SlackBlock[] {
  return codeBodies(sanitize(text)).map((body) => section(`${FENCE}\n${body}\n${FENCE}`));
}
