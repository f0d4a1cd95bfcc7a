/** Paths and ground truth of the fixture data that real Metaflow runs wrote. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The checkout: found by walking up, so that this file also works compiled into dist/ (the benchmarks use it). */
function projectRoot(from: string): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  // A transpiled copy outside any checkout (bot-process.ts), which reads no fixture.
  return join(from, '..', '..');
}

export const PROJECT_ROOT = projectRoot(__dirname);
export const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures');
export const LOCAL_ROOT = join(FIXTURES, 'metaflow-local', '.metaflow');

export interface ExpectedTask {
  task_id: string;
  pathspec: string;
  status: string;
  current_attempt: number;
  attempts_started: number[];
  attempts_done: number[];
  attempt_ok: Record<string, string>;
  index: number | null;
  exception: { type: string; message: string } | null;
  finished_at: string | null;
}

export interface ExpectedRun {
  flow: string;
  run_id: string;
  pathspec: string;
  status: 'successful' | 'failed' | 'running-or-lost';
  user: string;
  tags: string[];
  system_tags: string[];
  created_at_ms: number;
  finished_at: string | null;
  parameters: Record<string, unknown>;
  graph: { start_step: string; end_step: string; graph_structure: unknown };
  steps: { step: string; task_ids_client_order: string[]; tasks: ExpectedTask[] }[];
}

export interface Expected {
  flows: string[];
  runs: ExpectedRun[];
  run_ids_client_order: Record<string, string[]>;
}

let cached: Expected | null = null;

export function expected(): Expected {
  cached ??= JSON.parse(readFileSync(join(FIXTURES, 'metaflow-local', 'EXPECTED.json'), 'utf8')) as Expected;
  return cached;
}

/** EXPECTED.json writes naive UTC times with microseconds: `2026-11-28T03:18:44.244000`. */
export function expectedMs(naive: string | null): number | null {
  return naive === null ? null : Date.parse(`${naive.slice(0, 23)}Z`);
}
