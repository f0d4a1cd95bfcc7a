/**
 * Tails and backwards paging over the log files of one attempt and stream (its `runtime_` and
 * `task_` sources). Logs can be a gigabyte on S3, so a page reads only the bytes just before
 * where the previous page stopped, never the whole file.
 *
 * A page is a backwards merge of the sources: repeatedly take the newest of the sources' last
 * unread lines. For files in timestamp order (everything Metaflow writes) walking all pages back
 * yields exactly `mergeLogLines` of the whole files; for anything else it still yields every line
 * once, in an order that keeps each file's own order (an untimestamped line in the middle of a
 * file then stays just before the line that follows it, instead of moving to the very end).
 */
import { StringDecoder } from 'string_decoder';
import type { ByteSource } from './bytesource';
import { compareTimestamps, mergeLogLines, parseMflog, parseMflogLine, type LogLine } from './mflog';

export interface LogPage {
  /** Oldest first, at most `limit`. */
  lines: LogLine[];
  /** Fetches the page before this one; null when this page starts at the beginning. */
  older: string | null;
  /** Sum of the sources' sizes. */
  totalBytes: number;
}

export class LogCursorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogCursorError';
  }
}

const KiB = 1024;
const MiB = 1024 * KiB;
const MIN_FIRST_CHUNK = 4 * KiB;
const MAX_FIRST_CHUNK = 16 * KiB;
// A guess at a typical line's size, so that a 10-line tail needs one small read.
const BYTES_PER_LINE_GUESS = 256;
const CHUNK_CAP = 1 * MiB;
// Shared by the sources of one call: a line longer than this is shown in pieces rather than
// letting one request pull an unbounded amount from S3.
const READ_BUDGET = 8 * MiB;
const DEFAULT_MAX_LINE_CHARS = 4000;
// Room for the mflog header when only the start of a long line is decoded.
const HEADER_ALLOWANCE = 512;
const DEFAULT_WHOLE_MAX_BYTES = 64 * MiB;
const CUT_MARKER = '…';
const NEWLINE = 0x0a;

/** A line and the bytes it occupies, terminator included: [start, end). */
interface Located {
  line: LogLine;
  start: number;
  end: number;
}

/** The last lines before one source's end offset, oldest first. */
type Buffered = Located[];

/** Bytes [start, end) of a source, of which the last line ends at `end`. */
interface Window {
  buf: Buffer;
  start: number;
  end: number;
}

async function readExactly(src: ByteSource, start: number, end: number): Promise<Buffer> {
  const buf = await src.read(start, end);
  if (buf.length !== end - start) {
    throw new Error(`${src.name}: expected ${end - start} bytes at ${start}, got ${buf.length}; did the file shrink?`);
  }
  return buf;
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(NEWLINE, from); i >= 0 && i < to; i = buf.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

/**
 * Reads backwards from `end` in growing chunks until `wanted` complete lines are in hand, the
 * start of the file is reached, or the budget is spent. A line is complete once the newline
 * before it has been seen, so lines are only ever decoded whole.
 */
async function readBackwards(src: ByteSource, end: number, wanted: number, budget: number, firstChunk: number): Promise<Window> {
  const chunks: Buffer[] = [];
  let start = end;
  let chunk = firstChunk;
  let spent = 0;
  let complete = 0;
  while (start > 0 && complete < wanted && spent < budget) {
    const size = Math.min(chunk, start, budget - spent);
    const buf = await readExactly(src, start - size, start);
    // The newline that terminates the last line does not start a line of its own.
    const searchEnd = start === end ? buf.length - 1 : buf.length;
    complete += countNewlines(buf, 0, searchEnd);
    chunks.unshift(buf);
    start -= size;
    spent += size;
    chunk = Math.min(chunk * 2, CHUNK_CAP);
  }
  return { buf: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), start, end };
}

interface Span {
  start: number;
  contentEnd: number;
  end: number;
  /** The tail of a line whose beginning lies before the bytes read. */
  fragment: boolean;
}

/**
 * Splits the window into the last `max` lines (oldest first). If the read budget ran out inside a
 * line and `allowFragment` is set, the part of that line that was read is returned too: paging
 * must make progress through a line longer than the budget, and the next page should not pay for
 * reading the same bytes again.
 */
function lineSpans(win: Window, max: number, allowFragment: boolean): Span[] {
  const { buf, start, end } = win;
  const spans: Span[] = [];
  if (end === 0) return spans;
  let lineEnd = end;
  let contentEnd = buf[end - 1 - start] === NEWLINE ? end - 1 : end;
  while (spans.length < max) {
    const nl = contentEnd > start ? buf.lastIndexOf(NEWLINE, contentEnd - start - 1) : -1;
    if (nl >= 0) {
      const lineStart = start + nl + 1;
      spans.push({ start: lineStart, contentEnd, end: lineEnd, fragment: false });
      lineEnd = lineStart;
      contentEnd = lineStart - 1;
    } else {
      if (start === 0) spans.push({ start: 0, contentEnd, end: lineEnd, fragment: false });
      else if (allowFragment) spans.push({ start, contentEnd, end: lineEnd, fragment: true });
      break;
    }
  }
  return spans.reverse();
}

function cut(message: string, maxChars: number, forced: boolean): string {
  if (message.length > maxChars) {
    let n = maxChars;
    const code = message.charCodeAt(n - 1);
    if (code >= 0xd800 && code <= 0xdbff) n--;
    return message.slice(0, n) + CUT_MARKER;
  }
  return forced ? message + CUT_MARKER : message;
}

function isContinuationByte(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

function decodeSpan(win: Window, span: Span, maxLineChars: number): LogLine {
  let from = span.start - win.start;
  const to = span.contentEnd - win.start;
  // Only the first maxLineChars characters are shown, so a long line is decoded no further than
  // that (at most 4 bytes per character, plus the header).
  const decodeLimit = Number.isFinite(maxLineChars) ? maxLineChars * 4 + HEADER_ALLOWANCE : Infinity;
  if (span.fragment) {
    for (let skipped = 0; skipped < 3 && from < to && isContinuationByte(win.buf[from]); skipped++) from++;
  }
  const bytes = win.buf.subarray(from, to);
  const partial = bytes.length > decodeLimit;
  // StringDecoder holds back a character cut at the end of the prefix instead of mangling it.
  const text = partial ? new StringDecoder('utf8').write(bytes.subarray(0, decodeLimit)) : bytes.toString('utf8');
  const line = parseMflogLine(text);
  // A fragment that parses began exactly where the read did: it is a whole line after all.
  if (span.fragment && line.timestamp === null) {
    return { timestamp: null, source: null, message: CUT_MARKER + cut(text, maxLineChars, partial) };
  }
  return { ...line, message: cut(line.message, maxLineChars, partial) };
}

function locate(win: Window, max: number, allowFragment: boolean, maxLineChars: number): Buffered {
  return lineSpans(win, max, allowFragment).map((span) => ({ line: decodeSpan(win, span, maxLineChars), start: span.start, end: span.end }));
}

/**
 * Takes lines newest first while `take` accepts them. Stops early when a source has no buffered
 * line left but unread bytes before it: one of those might be newer than what remains elsewhere.
 * Returns the taken lines oldest first and each source's new end offset.
 */
function mergeBackwards(buffered: Buffered[], ends: number[], take: (item: Located) => boolean): { lines: LogLine[]; ends: number[] } {
  const next = buffered.map((lines) => lines.length);
  const newEnds = [...ends];
  const taken: LogLine[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < buffered.length; i++) {
      if (next[i] === 0) {
        if (newEnds[i] > 0) return { lines: taken.reverse(), ends: newEnds };
        continue;
      }
      // `>=` hands ties to the later source, which mergeLogLines places after the earlier one.
      if (best < 0 || compareTimestamps(buffered[i][next[i] - 1].line.timestamp, buffered[best][next[best] - 1].line.timestamp) >= 0) {
        best = i;
      }
    }
    if (best < 0) break;
    const item = buffered[best][next[best] - 1];
    if (!take(item)) break;
    next[best]--;
    newEnds[best] = item.start;
    taken.push(item.line);
  }
  return { lines: taken.reverse(), ends: newEnds };
}

/** FNV-1a of the source names: a cursor is only valid for the sources it was made for. */
function sourcesTag(sources: ByteSource[]): string {
  let hash = 0x811c9dc5;
  for (const ch of sources.map((s) => s.name).join('\0')) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

const CURSOR_VERSION = 'l1';
const CURSOR_OFFSET = /^[0-9a-z]{1,11}$/;

function encodeCursor(sources: ByteSource[], ends: number[]): string {
  return [CURSOR_VERSION, sourcesTag(sources), ...ends.map((e) => e.toString(36))].join('.');
}

function decodeCursor(cursor: string, sources: ByteSource[], sizes: number[]): number[] {
  const parts = cursor.split('.');
  if (parts[0] !== CURSOR_VERSION || parts.length !== 2 + sources.length) {
    throw new LogCursorError('This log position is not valid; start again from the end of the log.');
  }
  if (parts[1] !== sourcesTag(sources)) {
    throw new LogCursorError('This log position belongs to other log files; start again from the end of the log.');
  }
  return parts.slice(2).map((part, i) => {
    const offset = CURSOR_OFFSET.test(part) ? parseInt(part, 36) : NaN;
    if (!Number.isSafeInteger(offset) || offset > sizes[i]) {
      throw new LogCursorError('This log position is not valid for these log files; start again from the end of the log.');
    }
    return offset;
  });
}

function checkLimit(name: string, value: number, allowInfinity: boolean): void {
  if (!(Number.isSafeInteger(value) || (allowInfinity && value === Infinity)) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

export async function readLogTail(
  sources: ByteSource[],
  opts: { limit: number; before?: string | null; maxLineChars?: number },
): Promise<LogPage> {
  const { limit } = opts;
  const maxLineChars = opts.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  checkLimit('limit', limit, false);
  checkLimit('maxLineChars', maxLineChars, true);

  const sizes = await Promise.all(sources.map((s) => s.size()));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const ends = opts.before == null ? sizes : decodeCursor(opts.before, sources, sizes);

  const active = ends.filter((e) => e > 0).length;
  const budget = Math.max(1, Math.floor(READ_BUDGET / Math.max(1, active)));
  const firstChunk = Math.min(MAX_FIRST_CHUNK, Math.max(MIN_FIRST_CHUNK, limit * BYTES_PER_LINE_GUESS));
  const buffered = await Promise.all(
    sources.map(async (src, i) => {
      if (ends[i] === 0) return [];
      const win = await readBackwards(src, ends[i], limit, budget, firstChunk);
      return locate(win, limit, true, maxLineChars);
    }),
  );

  let left = limit;
  const page = mergeBackwards(buffered, ends, () => left-- > 0);
  return { lines: page.lines, older: page.ends.every((e) => e === 0) ? null : encodeCursor(sources, page.ends), totalBytes };
}

/**
 * The whole merged log with full messages, as the Python client returns it. When the sources
 * together exceed `maxBytes` (default 64 MiB) only the newest lines fitting in it are returned.
 */
export async function readWholeLog(sources: ByteSource[], opts: { maxBytes?: number } = {}): Promise<{ lines: LogLine[]; truncated: boolean }> {
  const maxBytes = opts.maxBytes ?? DEFAULT_WHOLE_MAX_BYTES;
  if (!(maxBytes >= 0)) throw new RangeError(`maxBytes must not be negative, got ${maxBytes}`);

  const sizes = await Promise.all(sources.map((s) => s.size()));
  if (sizes.reduce((a, b) => a + b, 0) <= maxBytes) {
    const bufs = await Promise.all(sources.map((src, i) => readExactly(src, 0, sizes[i])));
    return { lines: mergeLogLines(bufs.map((buf) => parseMflog(buf.toString('utf8')))), truncated: false };
  }

  const buffered = await Promise.all(
    sources.map(async (src, i) => {
      const start = Math.max(0, sizes[i] - maxBytes);
      const win: Window = { buf: await readExactly(src, start, sizes[i]), start, end: sizes[i] };
      return locate(win, Infinity, false, Infinity);
    }),
  );
  let used = 0;
  const { lines } = mergeBackwards(buffered, sizes, (item) => {
    if (used + item.end - item.start > maxBytes) return false;
    used += item.end - item.start;
    return true;
  });
  return { lines, truncated: true };
}
