/**
 * Claimers in separate threads, each with its own SQLite connection, released at the same
 * instant: in one thread, better-sqlite3 calls never overlap, so only threads really race.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

// Workers load the store's TypeScript source, transpiled on require as ts-jest would.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const ts = require(workerData.typescript);
require.extensions['.ts'] = (module, filename) => {
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  module._compile(ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions: options, fileName: filename }).outputText, filename);
};
const { SqliteStateStore } = require(workerData.store);
(async () => {
  const store = new SqliteStateStore(workerData.path);
  const start = new Int32Array(workerData.start);
  parentPort.postMessage({ ready: true });
  Atomics.wait(start, 0, 0);
  const claimed = [];
  for (;;) {
    const got = await store.claimPending(workerData.owner, workerData.limit, 60000);
    if (got.length === 0) break;
    for (const n of got) claimed.push(n.owner === workerData.owner ? n.run : 'wrong owner: ' + n.owner);
  }
  await store.close();
  parentPort.postMessage({ claimed });
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
`;

interface WorkerMessage {
  ready?: true;
  claimed?: string[];
  error?: string;
}

/** Runs `count` claimers on the SQLite file at `path` until it has nothing due; returns each one's runs. */
export async function claimInWorkers(path: string, count: number, limit: number): Promise<string[][]> {
  const start = new SharedArrayBuffer(4);
  const workerData = { path, limit, start, typescript: require.resolve('typescript'), store: join(__dirname, '../../../src/state/sqlite/store.ts') };
  let ready = 0;
  let releaseAll: () => void = () => undefined;
  const allReady = new Promise<void>((resolve) => (releaseAll = resolve));
  const results = Array.from({ length: count }, (_, i) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { ...workerData, owner: `thread-${i}` } });
    return new Promise<string[]>((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        if (m.ready && ++ready === count) releaseAll();
        if (m.error) reject(new Error(m.error));
        if (m.claimed) resolve(m.claimed);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`claimer thread-${i} exited with ${code} before answering`)));
    });
  });
  await allReady;
  const flag = new Int32Array(start);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  return Promise.all(results);
}
