import { createHash } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import path from 'path';
import { logText, mergeLogLines, parseMflog, parseMflogLine, type LogLine } from '../../src/metaflow/mflog';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'metaflow-local');
const ROOT = path.join(FIXTURE, '.metaflow');

interface StreamSummary {
  chars: number;
  lines: number;
  sha256_utf8: string;
  first: string | null;
  last: string | null;
}

interface ExpectedLog {
  pathspec: string;
  attempt: string;
  stream: 'stdout' | 'stderr';
  summary: StreamSummary;
}

function expectedLogs(): ExpectedLog[] {
  const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'EXPECTED.json'), 'utf8'));
  const out: ExpectedLog[] = [];
  for (const run of expected.runs) {
    for (const step of run.steps) {
      for (const task of step.tasks) {
        for (const [attempt, streams] of Object.entries<Record<'stdout' | 'stderr', StreamSummary>>(task.logs_by_attempt ?? {})) {
          for (const stream of ['stdout', 'stderr'] as const) {
            out.push({ pathspec: task.pathspec, attempt, stream, summary: streams[stream] });
          }
        }
      }
    }
  }
  return out;
}

function readOrEmpty(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function summarize(lines: LogLine[]): StreamSummary {
  const text = logText(lines);
  return {
    // Python counts code points; JavaScript's length counts UTF-16 units.
    chars: [...text].length,
    lines: lines.length,
    sha256_utf8: createHash('sha256').update(text, 'utf8').digest('hex'),
    first: lines.length ? lines[0].message : null,
    last: lines.length ? lines[lines.length - 1].message : null,
  };
}

function chattyDir(): string {
  const run = readFileSync(path.join(ROOT, 'LogsFlow', 'latest_run'), 'utf8');
  return path.join(ROOT, 'LogsFlow', run, 'chatty', '2');
}

describe('parseMflogLine', () => {
  it('splits a structured line into timestamp, source and the message byte for byte', () => {
    expect(parseMflogLine('[MFLOG|0|2026-11-28T03:01:51.504131Z|runtime|8c919fa1-156f-47a2-90d3-3f6d91bdc877]in step a, counter = 42')).toEqual({
      timestamp: '2026-11-28T03:01:51.504131Z',
      source: 'runtime',
      message: 'in step a, counter = 42',
    });
  });

  it('accepts the [! persist prefix', () => {
    expect(parseMflogLine('[![MFLOG|0|2026-11-28T03:01:51.504131Z|task|abc]hello')).toEqual({
      timestamp: '2026-11-28T03:01:51.504131Z',
      source: 'task',
      message: 'hello',
    });
  });

  it('ends the line id at the first ] and keeps later ] in the message', () => {
    expect(parseMflogLine('[MFLOG|0|2026-11-28T03:01:51.504131Z|task|id-1]a[0]] = 1').message).toBe('a[0]] = 1');
  });

  it('keeps empty messages, tabs, trailing spaces and carriage returns', () => {
    expect(parseMflogLine('[MFLOG|0|2026-11-28T03:01:51.504131Z|runtime|x]').message).toBe('');
    expect(parseMflogLine('[MFLOG|0|2026-11-28T03:01:51.504131Z|runtime|x]a\tb  \r').message).toBe('a\tb  \r');
  });

  it.each([
    ['plain text', 'Traceback (most recent call last):'],
    ['an empty line', ''],
    ['an unknown version', '[MFLOG|1|2026-11-28T03:01:51.504131Z|runtime|x]m'],
    ['a short timestamp', '[MFLOG|0|2026-11-28T03:01:51.5041Z|runtime|x]m'],
    ['an impossible month', '[MFLOG|0|2026-13-28T03:01:51.504131Z|runtime|x]m'],
    ['no Z before the source', '[MFLOG|0|2026-11-28T03:01:51.504131|runtime|x]m'],
    ['an empty source', '[MFLOG|0|2026-11-28T03:01:51.504131Z||x]m'],
    ['no closing ]', '[MFLOG|0|2026-11-28T03:01:51.504131Z|runtime|x m'],
    ['an empty line id', '[MFLOG|0|2026-11-28T03:01:51.504131Z|runtime|]m'],
    ['the prefix not at the start', ' [MFLOG|0|2026-11-28T03:01:51.504131Z|runtime|x]m'],
  ])('keeps %s as an unstructured line', (_what, raw) => {
    expect(parseMflogLine(raw)).toEqual({ timestamp: null, source: null, message: raw });
  });
});

describe('parseMflog', () => {
  it('has no lines for empty text', () => {
    expect(parseMflog('')).toEqual([]);
  });

  it('does not count the empty string after a final newline as a line', () => {
    expect(parseMflog('a\nb\n').map((l) => l.message)).toEqual(['a', 'b']);
    expect(parseMflog('\n').map((l) => l.message)).toEqual(['']);
    expect(parseMflog('a\n\n').map((l) => l.message)).toEqual(['a', '']);
  });

  it('keeps a last line without newline', () => {
    expect(parseMflog('a\nTask failed.').map((l) => l.message)).toEqual(['a', 'Task failed.']);
  });

  it('splits on \\n only and keeps \\r', () => {
    expect(parseMflog('a\r\nb\rc\n').map((l) => l.message)).toEqual(['a\r', 'b\rc']);
  });
});

describe('mergeLogLines', () => {
  const at = (s: string, message: string): LogLine => ({ timestamp: `2026-11-28T03:00:00.00000${s}Z`, source: 'runtime', message });
  const bare = (message: string): LogLine => ({ timestamp: null, source: null, message });

  it('interleaves two sources by timestamp', () => {
    const merged = mergeLogLines([
      [at('1', 'r1'), at('4', 'r4')],
      [at('2', 't2'), at('3', 't3'), at('5', 't5')],
    ]);
    expect(merged.map((l) => l.message)).toEqual(['r1', 't2', 't3', 'r4', 't5']);
  });

  it('sorts each source by timestamp, keeping the file order of equal timestamps', () => {
    const merged = mergeLogLines([[at('3', 'c'), at('1', 'a'), at('3', 'd'), at('2', 'b')]]);
    expect(merged.map((l) => l.message)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('puts the earlier source first on equal timestamps', () => {
    const merged = mergeLogLines([[at('1', 'runtime')], [at('1', 'task')]]);
    expect(merged.map((l) => l.message)).toEqual(['runtime', 'task']);
  });

  it('puts untimestamped lines after all timestamped ones, in source order', () => {
    const merged = mergeLogLines([
      [bare('r?'), at('2', 'r2')],
      [at('1', 't1'), bare('t?')],
    ]);
    expect(merged.map((l) => l.message)).toEqual(['t1', 'r2', 'r?', 't?']);
  });
});

describe('logText', () => {
  it('terminates every message with a newline, including the last', () => {
    expect(logText(parseMflog('[MFLOG|0|2026-11-28T03:01:51.504131Z|runtime|x]a\nTask failed.'))).toBe('a\nTask failed.\n');
    expect(logText([])).toBe('');
  });
});

describe('fixture logs', () => {
  it('parses every line of the LogsFlow stdout as structured', () => {
    const lines = parseMflog(readFileSync(path.join(chattyDir(), '0.runtime_stdout.log'), 'utf8'));
    expect(lines).toHaveLength(5005);
    expect(lines.every((l) => l.timestamp !== null && l.source === 'runtime')).toBe(true);
    expect(lines.find((l) => l.message.startsWith('unicode: '))?.message).toBe('unicode: ünïcødé ✓ 日本語 🚀 Ωμέγα');
    expect(lines.filter((l) => l.message === '')).toHaveLength(1);
    expect(lines.find((l) => l.message.startsWith('long line: '))?.message).toHaveLength(20011);
    expect(lines.find((l) => l.message.startsWith('tab'))?.message).toBe('tab\there and trailing spaces   ');
  });

  it('keeps the failed task marker written without newline', () => {
    const run = readFileSync(path.join(ROOT, 'FailFlow', 'latest_run'), 'utf8');
    const raw = readFileSync(path.join(ROOT, 'FailFlow', run, 'explode', '2', '0.runtime_stderr.log'), 'utf8');
    expect(raw.endsWith('Task failed.')).toBe(true);
    const lines = parseMflog(raw);
    expect(lines[lines.length - 1]).toMatchObject({ source: 'runtime', message: 'Task failed.' });
  });

  const cases = expectedLogs();

  it('covers every task attempt in EXPECTED.json', () => {
    expect(cases.length).toBeGreaterThan(40);
    expect(cases.filter((c) => c.summary.lines > 0).length).toBeGreaterThan(10);
  });

  it.each(cases.map((c) => [`${c.pathspec} attempt ${c.attempt} ${c.stream}`, c] as const))('matches the Python client for %s', (_name, c) => {
    const dir = path.join(ROOT, ...c.pathspec.split('/'));
    const sources = ['runtime', 'task'].map((source) => parseMflog(readOrEmpty(path.join(dir, `${c.attempt}.${source}_${c.stream}.log`))));
    expect(summarize(mergeLogLines(sources))).toEqual(c.summary);
  });
});
