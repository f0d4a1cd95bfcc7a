/**
 * The `metaflowbot` command in a child process, run from this checkout's TypeScript as
 * `node dist/src/cli/main.js …` runs it after a build: its own environment, exit code, stdout,
 * stderr and signals; through transpile-hook.ts, so no build step or dist/ folder is needed.
 *
 *   const result = await runCli(['show', 'HelloFlow', '--json'], { env, cwd });
 *   const cli = startCli(['playground', '--port', '0'], { env, cwd });
 *   const line = await cli.firstLine();  …  const { code } = await cli.stop();   // SIGTERM
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PROJECT_ROOT } from './fixtures';
import { transpileHook } from './transpile-hook';

const MAIN = join(PROJECT_ROOT, 'src', 'cli', 'main.ts');

export interface CliOptions {
  /** The whole environment of the child: nothing is inherited from the test's. */
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  readonly pid: number;
  /** Resolves with the first line the command prints, rejects if it exits first. */
  firstLine(): Promise<string>;
  /** SIGTERM, then what it printed and how it ended. */
  stop(): Promise<CliResult>;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

function spawnCli(args: string[], opts: CliOptions): { child: Child; ended: Promise<CliResult> } {
  // PATH only so that the child finds nothing else of the test's environment.
  const env = { PATH: process.env.PATH, ...opts.env };
  const child = spawn(process.execPath, ['--require', transpileHook(), MAIN, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ended = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, ended };
}

/** Runs a command to its end. */
export function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return spawnCli(args, opts).ended;
}

/** Starts a command that runs until stopped (`start`, `playground`). */
export function startCli(args: string[], opts: CliOptions): RunningCli {
  const { child, ended } = spawnCli(args, opts);
  let exited = false;
  void ended.finally(() => (exited = true));
  const firstLine = new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: string): void => {
      seen += chunk;
      const end = seen.indexOf('\n');
      if (end >= 0) {
        child.stdout.off('data', onData);
        resolve(seen.slice(0, end));
      }
    };
    child.stdout.on('data', onData);
    void ended.then((result) => reject(new Error(`metaflowbot ${args.join(' ')} exited (${result.code ?? result.signal}) before printing a line:\n${result.stderr}`)), reject);
  });
  firstLine.catch(() => undefined);
  return {
    pid: child.pid!,
    firstLine: () => firstLine,
    stop: () => {
      if (!exited) child.kill('SIGTERM');
      return ended;
    },
  };
}
