/**
 * Where Metaflow's datastore keeps things, relative to its root (a local `.metaflow` folder or
 * an S3 prefix): the same keys in both (metaflow-local-format.md §2, §6.3, §9.1).
 */
import type { LogStream } from '../model';

export function blobKey(flow: string, sha: string): string {
  return `${flow}/data/${sha.slice(0, 2)}/${sha}`;
}

export function attemptKey(flow: string, run: string, step: string, task: string, attempt: number, file: string): string {
  return `${flow}/${run}/${step}/${task}/${attempt}.${file}`;
}

/** Local runs write only `runtime_*`; tasks on remote compute add `task_*`: both are read and merged. */
export const LOG_SOURCES = ['runtime', 'task'] as const;

export function logFile(source: (typeof LOG_SOURCES)[number], stream: LogStream): string {
  return `${source}_${stream}.log`;
}

/** Blob names are lower-case SHA-1 hex; anything else must never reach a path or a key. */
export function isSha(s: string): boolean {
  return /^[0-9a-f]{40}$/.test(s);
}
