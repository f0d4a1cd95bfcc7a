import fc from 'fast-check';
import { bufferByteSource } from '../../src/metaflow/bytesource';
import { readLogTail, readWholeLog } from '../../src/metaflow/logtail';
import { mergeLogLines, parseMflog, type LogLine } from '../../src/metaflow/mflog';

// Metaflow writes each file in timestamp order; untimestamped lines are modelled at the end of
// a file, where they also end up in the client's merge.
interface GeneratedLine {
  gapMicros: number;
  message: string;
  persist: boolean;
}

const message = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom('a', ']', '|', '\r', '\t', ' ', 'é', '日', '🚀'), maxLength: 30 }) },
  // Long enough that pages cross the first read chunk and lines straddle chunk boundaries.
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('x', 'ü', '語', '🚀'), minLength: 1000, maxLength: 3000 }) },
).map((m) => m.replaceAll('\n', ' '));

const line: fc.Arbitrary<GeneratedLine> = fc.record({ gapMicros: fc.constantFrom(0, 1, 7, 1000), message, persist: fc.boolean() });

const file = fc.record({
  lines: fc.array(line, { maxLength: 40 }),
  bare: fc.array(message.map((m) => `plain ${m}`), { maxLength: 2 }),
  finalNewline: fc.boolean(),
});

function render(f: { lines: GeneratedLine[]; bare: string[]; finalNewline: boolean }, source: string): Buffer {
  let micros = 0;
  const raws = f.lines.map((l, i) => {
    micros += l.gapMicros;
    const stamp = new Date(Date.UTC(2026, 10, 28) + Math.floor(micros / 1000)).toISOString().slice(0, 23) + String(micros % 1000).padStart(3, '0');
    return `${l.persist ? '[!' : ''}[MFLOG|0|${stamp}Z|${source}|${source}-${i}]${l.message}`;
  });
  raws.push(...f.bare);
  const text = raws.join('\n');
  return Buffer.from(raws.length > 0 && f.finalNewline ? `${text}\n` : text);
}

describe('paging back through two sources', () => {
  it('reproduces mergeLogLines of the whole files for any page sizes', async () => {
    await fc.assert(
      fc.asyncProperty(file, file, fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }), async (runtimeFile, taskFile, limits) => {
        const bufs = [render(runtimeFile, 'runtime'), render(taskFile, 'task')];
        const sources = [bufferByteSource('0.runtime_stdout.log', bufs[0]), bufferByteSource('0.task_stdout.log', bufs[1])];
        const expected = mergeLogLines(bufs.map((b) => parseMflog(b.toString('utf8'))));

        const pages: LogLine[][] = [];
        let before: string | null = null;
        do {
          const limit = limits[pages.length % limits.length];
          const page = await readLogTail(sources, { limit, before, maxLineChars: Infinity });
          expect(page.lines.length).toBeLessThanOrEqual(limit);
          // Every page but the one of an empty log makes progress.
          expect(page.lines.length > 0 || (page.older === null && expected.length === 0)).toBe(true);
          expect(page.totalBytes).toBe(bufs[0].length + bufs[1].length);
          pages.push(page.lines);
          before = page.older;
        } while (before !== null);

        const walked = pages.reverse().flat();
        expect(walked).toEqual(expected);
        expect((await readWholeLog(sources)).lines).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
