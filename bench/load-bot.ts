/**
 * The bot under load, in a child process started the way an operator starts it
 * (`metaflowbot start`, configured through the environment), so that the load generator and
 * the fake Slack do not share its event loop. Its log goes to a file, not through this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BotProcess {
  readonly pid: number;
  readonly baseUrl: string;
  /** Resident set size now, from /proc (bytes); null where /proc is not available. */
  rss(): number | null;
  /** What /metrics says now: cache hits and misses, and the acks the bot timed itself. */
  metrics(): Promise<BotMetrics>;
  stop(): Promise<void>;
}

export interface BotMetrics {
  cacheHits: number;
  cacheMisses: number;
  /** Cumulative counts of the ack histogram by upper bound in seconds, all kinds together. */
  ackBuckets: Map<number, number>;
}

const CLI = join(__dirname, '..', 'src', 'cli', 'main.js');
const START_TIMEOUT_MS = 30_000;

export async function startBotProcess(env: Record<string, string>, logFile: string): Promise<BotProcess> {
  const log = openSync(logFile, 'a');
  // BENCH_BOT_NODE_ARGS: e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the bot under load.
  const nodeArgs = (process.env.BENCH_BOT_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'start'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let port: number;
  try {
    port = await listeningPort(child, logFile);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const pid = child.pid as number;
  return {
    pid,
    baseUrl,
    rss: () => rssOf(pid),
    metrics: async () => {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      return { cacheHits: gauge(text, 'metaflowbot_cache_hits'), cacheMisses: gauge(text, 'metaflowbot_cache_misses'), ackBuckets: buckets(text, 'metaflowbot_slack_ack_seconds') };
    },
    stop: () => stopChild(child),
  };
}

/** The port from the "metaflowbot listening" log line (PORT=0 lets the system pick one). */
async function listeningPort(child: ChildProcess, logFile: string): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the bot exited with code ${child.exitCode} while starting; see ${logFile}`);
    const m = /"port":(\d+)[^\n]*metaflowbot listening/.exec(readFileSync(logFile, 'utf8'));
    if (m) return Number(m[1]);
    if (Date.now() > deadline) throw new Error(`the bot did not start within ${START_TIMEOUT_MS / 1000} s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function rssOf(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function gauge(metrics: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : NaN;
}

function buckets(metrics: string, name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of metrics.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const le = /le="([^"]+)"/.exec(m[1])?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(m[2]));
  }
  return out;
}

/** SIGTERM, as a deployment stops it; SIGKILL if it has not exited within 10 seconds. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
