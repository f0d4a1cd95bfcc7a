/**
 * The metadata service of the load benchmark's service backend: the fake service (service
 * 2.5.1's API, paging and filters) with one synthetic flow, in its own process so that neither
 * the bot nor the load generator pays for answering it.
 *
 *   node dist/bench/load-service.js <flow> <runs> <latency ms>   → prints {"url": …} and serves until killed
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startFakeMetadataService } from '../test/support/fake-metadata-service';

export interface ServiceProcess {
  url: string;
  stop(): Promise<void>;
}

export async function startServiceProcess(flow: string, runs: number, latencyMs: number): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [__filename, flow, String(runs), String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the fake metadata service exited with code ${code}`)));
    createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function serve(flow: string, runs: number, latencyMs: number): Promise<void> {
  const now = Date.now();
  const fake = await startFakeMetadataService({ recordings: false, latencyMs, now: () => now });
  fake.addSyntheticFlow(flow, { runs });
  // The fake keeps every request URL; a long benchmark would otherwise grow it without end.
  setInterval(() => fake.resetLog(), 5_000).unref();
  process.once('SIGTERM', () => void fake.close().then(() => process.exit(0)));
  process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
}

if (require.main === module) {
  const [flow, runs, latency] = process.argv.slice(2);
  serve(flow, Number(runs), Number(latency)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
