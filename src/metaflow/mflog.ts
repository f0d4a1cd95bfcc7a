/**
 * Metaflow's log line format ("mflog"), parsed the way the Python client reads it so that the
 * text we show equals `Task.stdout` / `Task.stderr`:
 *
 *   [MFLOG|0|2026-11-28T03:01:51.504131Z|runtime|8c919fa1-…]message
 */

export interface LogLine {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` exactly as in the file; fixed width, so string order is time order. */
  timestamp: string | null;
  /** Who minted the timestamp: `runtime` or `task`. */
  source: string | null;
  message: string;
}

const STRUCTURED_PREFIX = '[MFLOG|';
const PERSIST_PREFIX = '[![MFLOG|';
const VERSION_FIELD = '0|';

// The client only accepts what `strptime("%Y-%m-%dT%H:%M:%S.%f")` accepts; requiring the
// fixed-width form Metaflow writes keeps string comparison equal to time comparison.
const TIMESTAMP = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}$/;

function unstructured(raw: string): LogLine {
  return { timestamp: null, source: null, message: raw };
}

export function parseMflogLine(raw: string): LogLine {
  let pos: number;
  if (raw.startsWith(STRUCTURED_PREFIX)) pos = STRUCTURED_PREFIX.length;
  else if (raw.startsWith(PERSIST_PREFIX)) pos = PERSIST_PREFIX.length;
  else return unstructured(raw);

  if (!raw.startsWith(VERSION_FIELD, pos)) return unstructured(raw);
  pos += VERSION_FIELD.length;

  const stampEnd = raw.indexOf('Z|', pos);
  if (stampEnd < 0) return unstructured(raw);
  const stamp = raw.slice(pos, stampEnd);
  if (!TIMESTAMP.test(stamp)) return unstructured(raw);

  const sourceStart = stampEnd + 2;
  const sourceEnd = raw.indexOf('|', sourceStart);
  if (sourceEnd <= sourceStart) return unstructured(raw);

  // The line id ends at the first `]`; the message itself may contain more of them.
  const idEnd = raw.indexOf(']', sourceEnd + 1);
  if (idEnd <= sourceEnd + 1) return unstructured(raw);

  return { timestamp: `${stamp}Z`, source: raw.slice(sourceStart, sourceEnd), message: raw.slice(idEnd + 1) };
}

export function parseMflog(text: string): LogLine[] {
  if (text === '') return [];
  const raws = text.split('\n');
  // A final "\n" terminates the last line rather than starting an empty one.
  if (raws[raws.length - 1] === '') raws.pop();
  return raws.map(parseMflogLine);
}

/** Orders timestamps; a line without one sorts after every timestamped line. */
export function compareTimestamps(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * Concatenating in source order and sorting stably is the same as sorting each source by
 * timestamp and merging them with ties going to the earlier source.
 */
export function mergeLogLines(sources: LogLine[][]): LogLine[] {
  return sources.flat().sort((a, b) => compareTimestamps(a.timestamp, b.timestamp));
}

export function logText(lines: LogLine[]): string {
  let text = '';
  for (const line of lines) text += `${line.message}\n`;
  return text;
}
