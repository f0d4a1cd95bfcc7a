/**
 * `npm run bench:client` (service part): runs with status of a 5,000-run flow through the fake
 * metadata service with 2 ms added per call, in paged mode (service 2.5.1: `_limit`/`_cursor`)
 * and legacy mode (older services: the whole list, sorted here). Prints requests and time,
 * cold (new client) and warm (same client again).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetaflowClient } from '../src/metaflow/client';
import { LocalDatastore } from '../src/metaflow/datastore/local';
import { createServiceMetadataSource } from '../src/metaflow/service';
import { startFakeMetadataService } from '../test/support/fake-metadata-service';

const RUNS = 5000;
const LATENCY_MS = 2;

interface Row {
  mode: string;
  what: string;
  cold: { ms: number; requests: number };
  warm: { ms: number; requests: number };
}

export async function serviceBench(): Promise<Row[]> {
  const now = Date.now();
  const fake = await startFakeMetadataService({ recordings: false, latencyMs: LATENCY_MS, now: () => now });
  fake.addSyntheticFlow('BigFlow', { runs: RUNS });
  const emptyDatastore = mkdtempSync(join(tmpdir(), 'mfbot-bench-ds-'));
  const rows: Row[] = [];
  try {
    for (const mode of ['paged', 'legacy'] as const) {
      fake.legacy = mode === 'legacy';
      const makeClient = (): { client: MetaflowClient; close: () => Promise<void> } => {
        const source = createServiceMetadataSource({ url: fake.url });
        return { client: new MetaflowClient({ metadata: source, datastore: new LocalDatastore(emptyDatastore), now: () => now }), close: () => source.close() };
      };
      const tasks: [string, (c: MetaflowClient) => Promise<unknown>][] = [
        ['first page of 20 runs with status', (c) => c.listRuns('BigFlow', { limit: 20 })],
        ['first 20 failed runs', (c) => c.listRuns('BigFlow', { limit: 20, status: ['failed'] })],
        [`all ${RUNS} runs with status (pages of 500)`, (c) => allRuns(c)],
      ];
      for (const [what, task] of tasks) {
        const { client, close } = makeClient();
        const cold = await measure(fake, () => task(client));
        const warm = await measure(fake, () => task(client));
        rows.push({ mode, what, cold, warm });
        await close();
      }
    }
  } finally {
    await fake.close();
  }
  return rows;
}

async function allRuns(client: MetaflowClient): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page = await client.listRuns('BigFlow', { limit: 500, cursor });
    count += page.items.length;
    cursor = page.next;
  } while (cursor);
  return count;
}

async function measure(fake: { requests: string[] }, fn: () => Promise<unknown>): Promise<{ ms: number; requests: number }> {
  const before = fake.requests.length;
  const start = process.hrtime.bigint();
  await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, requests: fake.requests.length - before };
}

export function formatServiceRows(rows: Row[]): string {
  const header = ['mode', 'measure', 'cold ms', 'cold requests', 'warm ms', 'warm requests'];
  const body = rows.map((r) => [r.mode, r.what, r.cold.ms.toFixed(1), String(r.cold.requests), r.warm.ms.toFixed(1), String(r.warm.requests)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [header, ...body].map((cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}

if (require.main === module) {
  serviceBench().then(
    (rows) => {
      process.stdout.write(`Metadata service backend: ${RUNS}-run flow, fake service with ${LATENCY_MS} ms per call\n`);
      process.stdout.write(`${formatServiceRows(rows)}\n`);
      process.stdout.write(`${JSON.stringify({ service: rows })}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
