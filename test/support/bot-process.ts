/**
 * The real bot in a child process, for tests that SIGKILL it mid-work:
 *
 *   const bot = await BotProcess.start(SOURCE, { slackApiUrl, metaflowRoot, state, notifier });
 *   await bot.kill();                               // SIGKILL: no cleanup of any kind
 *
 * The child runs `startTestBot` (test/support/bot.ts), the same start-up as the in-process
 * end-to-end tests: from this checkout's TypeScript (`SOURCE`, through transpile-hook.ts), or
 * from a build of it (`npm run drill` passes dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestBotOptions } from './bot';
import { PROJECT_ROOT } from './fixtures';
import { transpileHook } from './transpile-hook';

/** The checkout itself, run from its TypeScript. */
export const SOURCE = PROJECT_ROOT;
const READY_TIMEOUT_MS = 30_000;
/** Kept for the error of a child that failed, not to flood a passing test's output. */
const OUTPUT_LINES = 40;

const CHILD = `
const [build, options] = [process.argv[1], JSON.parse(process.argv[2])];
const { startTestBot } = require(require('node:path').join(build, 'test', 'support', 'bot'));
startTestBot(options).then(
  (bot) => {
    process.stdout.write('ready ' + bot.port + '\\n');
    process.once('SIGTERM', () => bot.stop().then(() => process.exit(0), () => process.exit(1)));
  },
  (err) => {
    process.stderr.write(String((err && err.stack) || err) + '\\n');
    process.exit(1);
  },
);
`;

export class BotProcess {
  private readonly output: string[] = [];
  private readonly exited: Promise<void>;

  /** Where it serves HTTP; 0 until it is ready. */
  port = 0;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Resolves once the bot serves (its notifier runs from then on). */
  /** `build`: SOURCE, or a folder compiled from it (holding test/support/bot.js). */
  static async start(build: string, options: TestBotOptions): Promise<BotProcess> {
    // The hook only matters for SOURCE; a build has no .ts file for it to load.
    const child = spawn(process.execPath, ['--require', transpileHook(), '-e', CHILD, build, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let ready: (port: number) => void = () => undefined;
    let failed: (err: Error) => void = () => undefined;
    const port = new Promise<number>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    const bot = new BotProcess(child);
    const lines = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n').filter((l) => l !== '')) {
        const m = /^ready (\d+)$/.exec(line);
        if (m) ready(Number(m[1]));
        else bot.output.push(line);
      }
      bot.output.splice(0, Math.max(0, bot.output.length - OUTPUT_LINES));
    };
    child.stdout?.on('data', lines);
    child.stderr?.on('data', lines);
    child.once('exit', (code, signal) => failed(new Error(`the bot exited (${signal ?? code}) before it was ready:\n${bot.output.join('\n')}`)));
    const timer = setTimeout(() => failed(new Error(`the bot was not ready within ${READY_TIMEOUT_MS} ms:\n${bot.output.join('\n')}`)), READY_TIMEOUT_MS);
    try {
      bot.port = await port;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return bot;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** What it logged lately, for a failing test's message. */
  get log(): string {
    return this.output.join('\n');
  }

  /** SIGKILL: the process gets no chance to finish, release or record anything. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: a graceful stop, as on a deploy. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
