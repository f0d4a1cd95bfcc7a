/**
 * Splits a run query into words, quoted tags and commas. Every token records where it starts in
 * the original text so that errors can point at it.
 */

export interface WordToken {
  readonly kind: 'word';
  readonly text: string;
  readonly start: number;
}

export interface QuotedToken {
  readonly kind: 'quoted';
  /** The text between the quotes. */
  readonly text: string;
  readonly start: number;
  /** The text as typed, quotes included. */
  readonly source: string;
  readonly closer: string;
  readonly closed: boolean;
}

export interface CommaToken {
  readonly kind: 'comma';
  readonly start: number;
}

export interface EndToken {
  readonly kind: 'end';
  readonly start: number;
}

export type Token = WordToken | QuotedToken | CommaToken | EndToken;

// Desktop keyboards type "…"; macOS and iOS turn it into “…”, and some keyboards give ”…”.
const CLOSING_QUOTE: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ['“', '”'],
  ['”', '”'],
]);

// Backticks come from Slack's code formatting, which users copy along with the query.
const SEPARATOR = /[\s`]/u;

function endsWord(c: string): boolean {
  return SEPARATOR.test(c) || c === ',' || CLOSING_QUOTE.has(c);
}

/** The tokens of `source`, always ending with an `end` token. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const lastAngle = source.lastIndexOf('>');
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const closer = CLOSING_QUOTE.get(c);
    if (SEPARATOR.test(c)) {
      i += 1;
    } else if (c === ',') {
      tokens.push({ kind: 'comma', start: i });
      i += 1;
    } else if (closer !== undefined) {
      // An unclosed quote becomes a token too, so the parser reports it only if nothing earlier
      // in the query is wrong.
      const close = source.indexOf(closer, i + 1);
      const end = close === -1 ? source.length : close + 1;
      const text = source.slice(i + 1, close === -1 ? source.length : close);
      tokens.push({ kind: 'quoted', text, start: i, source: source.slice(i, end), closer, closed: close !== -1 });
      i = end;
    } else if (c === '<' && lastAngle > i) {
      // Slack sends links as <target> or <target|label>. The label is what the user typed before
      // Slack turned it into a link; a pasted URL arrives without one.
      const close = source.indexOf('>', i);
      const bar = source.slice(i, close).indexOf('|');
      const from = bar === -1 ? i + 1 : i + bar + 1;
      tokens.push({ kind: 'word', text: source.slice(from, close), start: from });
      i = close + 1;
    } else {
      let j = i + 1;
      while (j < source.length && !endsWord(source[j])) j += 1;
      tokens.push({ kind: 'word', text: source.slice(i, j), start: i });
      i = j;
    }
  }
  tokens.push({ kind: 'end', start: source.length });
  return tokens;
}

/** Whether `text` comes back from `tokenize` as a single word token with the same text. */
export function readsAsOneWord(text: string): boolean {
  return text !== '' && !text.startsWith('<') && !Array.from(text).some(endsWord);
}

/** Whether `quoted` can write `text`: no pair of quotes can hold both kinds of closing quote. */
export function canBeQuoted(text: string): boolean {
  return !(text.includes('"') && text.includes('”'));
}

/** `text` in quotes that `tokenize` reads back as exactly `text`, if `canBeQuoted(text)`. */
export function quoted(text: string): string {
  return text.includes('"') ? `“${text}”` : `"${text}"`;
}
