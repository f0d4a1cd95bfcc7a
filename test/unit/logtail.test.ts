import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { bufferByteSource, fileByteSource, type ByteSource } from '../../src/metaflow/bytesource';
import { LogCursorError, readLogTail, readWholeLog, type LogPage } from '../../src/metaflow/logtail';
import { mergeLogLines, parseMflog, type LogLine } from '../../src/metaflow/mflog';

const ROOT = path.join(__dirname, '..', 'fixtures', 'metaflow-local', '.metaflow');
const MiB = 1024 * 1024;

function taskDir(flow: string, step: string, task: string): string {
  const run = readFileSync(path.join(ROOT, flow, 'latest_run'), 'utf8');
  return path.join(ROOT, flow, run, step, task);
}

/** The attempt's sources as the rest of the bot builds them: runtime_ then task_ (often missing). */
function attemptSources(dir: string, attempt: number, stream: 'stdout' | 'stderr'): ByteSource[] {
  return ['runtime', 'task'].map((source) => fileByteSource(path.join(dir, `${attempt}.${source}_${stream}.log`)));
}

function fullParse(dir: string, attempt: number, stream: 'stdout' | 'stderr'): LogLine[] {
  return mergeLogLines(
    ['runtime', 'task'].map((source) => {
      const file = path.join(dir, `${attempt}.${source}_${stream}.log`);
      try {
        return parseMflog(readFileSync(file, 'utf8'));
      } catch {
        return [];
      }
    }),
  );
}

class CountingSource implements ByteSource {
  bytesRead = 0;
  reads = 0;
  constructor(private readonly inner: ByteSource) {}
  get name(): string {
    return this.inner.name;
  }
  size(): Promise<number> {
    return this.inner.size();
  }
  async read(start: number, end: number): Promise<Buffer> {
    const buf = await this.inner.read(start, end);
    this.reads++;
    this.bytesRead += buf.length;
    return buf;
  }
}

async function walkBack(sources: ByteSource[], limit: number, maxLineChars?: number): Promise<{ pages: LogPage[]; lines: LogLine[] }> {
  const pages: LogPage[] = [];
  let before: string | null = null;
  do {
    const page: LogPage = await readLogTail(sources, { limit, before, maxLineChars });
    pages.push(page);
    before = page.older;
  } while (before !== null);
  return { pages, lines: pages.reverse().flatMap((p) => p.lines) };
}

function stamp(micros: number): string {
  const iso = new Date(Date.UTC(2026, 10, 28, 3, 0, 0) + Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
}

function mflogLine(micros: number, message: string, source = 'runtime'): string {
  return `[MFLOG|0|${stamp(micros)}|${source}|${String(micros).padStart(12, '0')}-id]${message}`;
}

const chatty = taskDir('LogsFlow', 'chatty', '2');

describe('readLogTail on the LogsFlow fixture', () => {
  const full = fullParse(chatty, 0, 'stdout');

  it('returns the last 10 lines of the full parse', async () => {
    const page = await readLogTail(attemptSources(chatty, 0, 'stdout'), { limit: 10, maxLineChars: Infinity });
    expect(full).toHaveLength(5005);
    expect(page.lines).toEqual(full.slice(-10));
    expect(page.lines[page.lines.length - 1].message).toBe('last stdout line');
    expect(page.totalBytes).toBe(665523);
    expect(page.older).not.toBeNull();
  });

  it('returns the last 100 lines of the full parse', async () => {
    const page = await readLogTail(attemptSources(chatty, 0, 'stdout'), { limit: 100, maxLineChars: Infinity });
    expect(page.lines).toEqual(full.slice(-100));
  });

  it('pages back to the start without losing or repeating a line', async () => {
    const { pages, lines } = await walkBack(attemptSources(chatty, 0, 'stdout'), 100, Infinity);
    expect(pages).toHaveLength(51);
    expect(pages.every((p) => p.lines.length <= 100)).toBe(true);
    expect(lines).toEqual(full);
  });

  it('pages back through stderr with a limit that does not divide the line count', async () => {
    const { pages, lines } = await walkBack(attemptSources(chatty, 0, 'stderr'), 3);
    expect(pages.map((p) => p.lines.length)).toEqual([1, 3, 3]);
    expect(lines).toEqual(fullParse(chatty, 0, 'stderr'));
    expect(lines[5].message).toBe('stderr unicode: éèê ☃');
  });

  it('keeps cursors short enough for a Slack button value', async () => {
    const page = await readLogTail(attemptSources(chatty, 0, 'stdout'), { limit: 10 });
    expect(page.older!.length).toBeLessThan(200);
  });

  it('cuts the 20,011-character line in tails but not in readWholeLog', async () => {
    const original = full.find((l) => l.message.startsWith('long line: '))!;
    expect(original.message).toHaveLength(20011);

    const page = await readLogTail(attemptSources(chatty, 0, 'stdout'), { limit: 10 });
    const shown = page.lines.find((l) => l.message.startsWith('long line: '))!;
    expect(shown).toEqual({ ...original, message: `${original.message.slice(0, 4000)}…` });
    const others = page.lines.filter((l) => l !== shown);
    expect(others).toEqual(full.slice(-10).filter((l) => l.message !== original.message));

    const narrow = await readLogTail(attemptSources(chatty, 0, 'stdout'), { limit: 10, maxLineChars: 20 });
    expect(narrow.lines.find((l) => l.message.startsWith('unicode'))!.message).toBe('unicode: ünïcødé ✓ 日…');

    const whole = await readWholeLog(attemptSources(chatty, 0, 'stdout'));
    expect(whole.truncated).toBe(false);
    expect(whole.lines).toEqual(full);
  });

  it('keeps the last line of a failed task that has no newline', async () => {
    const dir = taskDir('FailFlow', 'explode', '2');
    const page = await readLogTail(attemptSources(dir, 0, 'stderr'), { limit: 2 });
    expect(page.lines.map((l) => l.message)).toEqual(fullParse(dir, 0, 'stderr').slice(-2).map((l) => l.message));
    expect(page.lines[1].message).toBe('Task failed.');
  });

  it('reads the attempt it is given: RetryFlow attempt 0 failed, attempt 1 recovered', async () => {
    const dir = taskDir('RetryFlow', 'flaky', '2');
    const failed = await readLogTail(attemptSources(dir, 0, 'stderr'), { limit: 1 });
    const recovered = await readLogTail(attemptSources(dir, 1, 'stdout'), { limit: 5 });
    expect(failed.lines.map((l) => l.message)).toEqual(['Task failed.']);
    expect(recovered.lines.map((l) => l.message)).toEqual(['flaky attempt 1', 'recovered on attempt 1']);
    expect(recovered.older).toBeNull();
  });
});

describe('empty and missing logs', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'logtail-empty-'));
    writeFileSync(path.join(tmp, 'empty.log'), '');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('treats a missing file as empty', async () => {
    const missing = fileByteSource(path.join(tmp, 'nope.log'));
    expect(await missing.size()).toBe(0);
    expect(await missing.read(0, 10)).toHaveLength(0);
    expect(await readLogTail([missing], { limit: 10 })).toEqual({ lines: [], older: null, totalBytes: 0 });
    expect(await readWholeLog([missing])).toEqual({ lines: [], truncated: false });
  });

  it('has no lines for an empty file or no sources at all', async () => {
    const empty = fileByteSource(path.join(tmp, 'empty.log'));
    expect(await readLogTail([empty, empty], { limit: 10 })).toEqual({ lines: [], older: null, totalBytes: 0 });
    expect(await readLogTail([], { limit: 10 })).toEqual({ lines: [], older: null, totalBytes: 0 });
    expect(await readWholeLog([])).toEqual({ lines: [], truncated: false });
  });

  it('shows the logs of a lost task (no log files) as empty', async () => {
    const dir = taskDir('SleepyFlow', 'nap', '2');
    expect(await readLogTail(attemptSources(dir, 0, 'stdout'), { limit: 10 })).toEqual({ lines: [], older: null, totalBytes: 0 });
  });

  it('reads a file holding a single newline as one empty line', async () => {
    const page = await readLogTail([bufferByteSource('nl', Buffer.from('\n'))], { limit: 10 });
    expect(page.lines).toEqual([{ timestamp: null, source: null, message: '' }]);
    expect(page.older).toBeNull();
  });
});

describe('a large log', () => {
  const LINES = 100_000;
  let tmp: string;
  let file: string;
  let expected: LogLine[];

  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'logtail-large-'));
    file = path.join(tmp, '0.runtime_stdout.log');
    const raw = Array.from({ length: LINES }, (_, i) => mflogLine(i * 10, `line ${i} ${'é'.repeat(i % 7)} ${i % 1000 === 0 ? '☃🚀' : ''}`)).join('\n') + '\n';
    writeFileSync(file, raw);
    expected = parseMflog(raw);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads only a few KiB for a 10-line tail', async () => {
    const src = new CountingSource(fileByteSource(file));
    const page = await readLogTail([src, fileByteSource(path.join(tmp, '0.task_stdout.log'))], { limit: 10 });
    expect(page.lines).toEqual(expected.slice(-10));
    expect(page.totalBytes).toBeGreaterThan(7 * MiB);
    expect(src.reads).toBe(1);
    expect(src.bytesRead).toBeLessThanOrEqual(4096);
  });

  it('reads only the bytes before the cursor when paging back', async () => {
    const first = await readLogTail([fileByteSource(file)], { limit: 500 });
    const src = new CountingSource(fileByteSource(file));
    const second = await readLogTail([src], { limit: 500, before: first.older });
    expect(second.lines).toEqual(expected.slice(-1000, -500));
    expect(src.bytesRead).toBeLessThan(128 * 1024);
  });

  it('grows its reads for a large page', async () => {
    const src = new CountingSource(fileByteSource(file));
    const page = await readLogTail([src], { limit: 5000 });
    expect(page.lines).toEqual(expected.slice(-5000));
    expect(src.reads).toBeGreaterThan(1);
    expect(src.bytesRead).toBeLessThan(1 * MiB);
  });

  it('returns only the newest lines that fit when the whole log exceeds maxBytes', async () => {
    const whole = await readWholeLog([fileByteSource(file)], { maxBytes: 10_000 });
    expect(whole.truncated).toBe(true);
    expect(whole.lines.length).toBeGreaterThan(50);
    expect(whole.lines).toEqual(expected.slice(-whole.lines.length));
    const bytes = whole.lines.reduce((n, l) => n + Buffer.byteLength(mflogLine(0, l.message)) + 1, 0);
    expect(bytes).toBeLessThanOrEqual(10_000);
  });
});

describe('merging the runtime and task sources', () => {
  // A remote task: the task writes its own file and the runtime adds its markers.
  const runtime = [mflogLine(1, 'starting'), mflogLine(40, 'Task finished.'), mflogLine(41, '[KILLED BY ORCHESTRATOR]')].join('\n') + '\n';
  const task =
    [
      mflogLine(5, 'task line 1', 'task'),
      `[![MFLOG|0|${stamp(6)}|task|x]persisted later`,
      mflogLine(20, 'windows line\r', 'task'),
      mflogLine(40, 'same time as the runtime', 'task'),
      'a line without header',
    ].join('\n') + '\n';
  const sources = () => [bufferByteSource('runtime', Buffer.from(runtime)), bufferByteSource('task', Buffer.from(task))];
  const merged = mergeLogLines([parseMflog(runtime), parseMflog(task)]);

  it('interleaves the sources by timestamp, untimestamped lines last', () => {
    expect(merged.map((l) => l.message)).toEqual([
      'starting',
      'task line 1',
      'persisted later',
      'windows line\r',
      'Task finished.',
      'same time as the runtime',
      '[KILLED BY ORCHESTRATOR]',
      'a line without header',
    ]);
  });

  it.each([1, 2, 3, 5, 8, 20])('pages of %i lines reproduce the merge', async (limit) => {
    const { pages, lines } = await walkBack(sources(), limit);
    expect(lines).toEqual(merged);
    expect(pages[pages.length - 1].lines).toEqual(merged.slice(-limit));
  });

  it('reports the size of both sources', async () => {
    const page = await readLogTail(sources(), { limit: 1 });
    expect(page.totalBytes).toBe(Buffer.byteLength(runtime) + Buffer.byteLength(task));
  });

  it('returns the same lines from readWholeLog', async () => {
    expect(await readWholeLog(sources())).toEqual({ lines: merged, truncated: false });
  });
});

describe('very long lines', () => {
  it('finds the start of a line longer than one read chunk', async () => {
    const long = 'x'.repeat(3 * MiB);
    const raw = [mflogLine(1, 'before'), mflogLine(2, long), mflogLine(3, 'after')].join('\n');
    const src = new CountingSource(bufferByteSource('long', Buffer.from(raw)));
    const page = await readLogTail([src], { limit: 2 });
    expect(page.lines).toEqual([
      { timestamp: stamp(2), source: 'runtime', message: `${'x'.repeat(4000)}…` },
      { timestamp: stamp(3), source: 'runtime', message: 'after' },
    ]);
    expect(src.bytesRead).toBeLessThan(5 * MiB);
    const rest = await readLogTail([src], { limit: 2, before: page.older });
    expect(rest.lines.map((l) => l.message)).toEqual(['before']);
    expect(rest.older).toBeNull();
  });

  it('does not split a multi-byte character when cutting', async () => {
    const raw = mflogLine(1, '🚀'.repeat(10_000));
    const page = await readLogTail([bufferByteSource('emoji', Buffer.from(raw))], { limit: 1, maxLineChars: 5 });
    expect(page.lines[0].message).toBe('🚀🚀…');
  });

  it('shows a line longer than the read budget in pieces, reading at most 8 MiB per call', async () => {
    const huge = '日'.repeat(3 * MiB); // 9 MiB of UTF-8
    const raw = [mflogLine(1, 'before'), mflogLine(2, huge), mflogLine(3, 'after')].join('\n') + '\n';
    const src = new CountingSource(bufferByteSource('huge', Buffer.from(raw)));

    const first = await readLogTail([src], { limit: 5 });
    expect(first.lines).toEqual([
      { timestamp: null, source: null, message: `…${'日'.repeat(4000)}…` },
      { timestamp: stamp(3), source: 'runtime', message: 'after' },
    ]);
    expect(src.bytesRead).toBeLessThanOrEqual(8 * MiB);

    src.bytesRead = 0;
    const second = await readLogTail([src], { limit: 5, before: first.older });
    expect(second.lines).toEqual([
      { timestamp: stamp(1), source: 'runtime', message: 'before' },
      { timestamp: stamp(2), source: 'runtime', message: `${'日'.repeat(4000)}…` },
    ]);
    expect(second.older).toBeNull();
    expect(src.bytesRead).toBeLessThan(2 * MiB);

    const whole = await readWholeLog([src]);
    expect(whole.lines[1].message).toBe(huge);
  });

  it('recognises a line that starts exactly where the read budget ends', async () => {
    const header = mflogLine(2, '');
    const exact = 'y'.repeat(8 * MiB - header.length - 1);
    const raw = `${mflogLine(1, 'before')}\n${header}${exact}\n`;
    const page = await readLogTail([bufferByteSource('exact', Buffer.from(raw))], { limit: 5 });
    expect(page.lines).toEqual([{ timestamp: stamp(2), source: 'runtime', message: `${'y'.repeat(4000)}…` }]);
    const rest = await readLogTail([bufferByteSource('exact', Buffer.from(raw))], { limit: 5, before: page.older });
    expect(rest.lines.map((l) => l.message)).toEqual(['before']);
    expect(rest.older).toBeNull();
  });
});

describe('cursors', () => {
  const sources = () => attemptSources(chatty, 0, 'stdout');

  it.each([
    ['garbage', 'not a cursor'],
    ['an empty string', ''],
    ['an unknown version', 'l9.abc.1.0'],
    ['a non-numeric offset', null],
    ['too few offsets', null],
    ['an offset beyond the end of the file', null],
  ])('rejects %s', async (what, given) => {
    const valid = (await readLogTail(sources(), { limit: 10 })).older!;
    const [version, tag, runtime, task] = valid.split('.');
    const cursor =
      given ??
      {
        'a non-numeric offset': `${version}.${tag}.zz-1.${task}`,
        'too few offsets': `${version}.${tag}.${runtime}`,
        'an offset beyond the end of the file': `${version}.${tag}.${(10 * MiB).toString(36)}.${task}`,
      }[what]!;
    await expect(readLogTail(sources(), { limit: 10, before: cursor })).rejects.toThrow(LogCursorError);
  });

  it('rejects a cursor made for another log', async () => {
    const stderrCursor = (await readLogTail(attemptSources(chatty, 0, 'stderr'), { limit: 1 })).older!;
    await expect(readLogTail(sources(), { limit: 10, before: stderrCursor })).rejects.toThrow(LogCursorError);
  });

  it('accepts a cursor on a fresh set of sources for the same files', async () => {
    const first = await readLogTail(sources(), { limit: 10 });
    const second = await readLogTail(sources(), { limit: 10, before: first.older });
    expect(second.lines).toEqual(fullParse(chatty, 0, 'stdout').slice(-20, -10));
  });

  it('rejects a limit that is not a positive integer', async () => {
    await expect(readLogTail(sources(), { limit: 0 })).rejects.toThrow(RangeError);
    await expect(readLogTail(sources(), { limit: 2.5 })).rejects.toThrow(RangeError);
    await expect(readLogTail(sources(), { limit: 1, maxLineChars: 0 })).rejects.toThrow(RangeError);
  });
});

describe('byte sources', () => {
  it('reads byte ranges of a file and stops at its end', async () => {
    const file = path.join(chatty, '0.runtime_stderr.log');
    const src = fileByteSource(file);
    const bytes = readFileSync(file);
    expect(src.name).toBe(file);
    expect(await src.size()).toBe(bytes.length);
    expect(await src.read(10, 100)).toEqual(bytes.subarray(10, 100));
    expect(await src.read(bytes.length - 5, bytes.length + 100)).toEqual(bytes.subarray(bytes.length - 5));
    expect(await src.read(3, 3)).toHaveLength(0);
    await expect(src.read(5, 2)).rejects.toThrow(RangeError);
  });

  it('reads byte ranges of a buffer', async () => {
    const src = bufferByteSource('b', Buffer.from('hello'));
    expect(await src.size()).toBe(5);
    expect((await src.read(1, 3)).toString()).toBe('el');
    expect((await src.read(4, 9)).toString()).toBe('o');
    await expect(src.read(-1, 2)).rejects.toThrow(RangeError);
  });
});
