/**
 * The real bot in a child process, for tests that SIGKILL it mid-work:
 *
 *   const build = buildBot();                       // in beforeAll: ~10 s the first time
 *   const bot = await BotProcess.start(build, { slackApiUrl, metaflowRoot, state, notifier });
 *   await bot.kill();                               // SIGKILL: no cleanup of any kind
 *
 * The child runs `startTestBot` (test/support/bot.ts), the same start-up as the in-process
 * end-to-end tests, from JavaScript transpiled out of this checkout's TypeScript. Transpiling
 * (TypeScript's `transpileModule`, no type check: `npm test` runs `tsc --noEmit` first) keeps
 * the child free of ts-node or a jest transformer, and the output goes to a temporary folder
 * named after a hash of the sources, so the test files that need it, and later runs, share one
 * build. `NODE_PATH` lets that folder, outside the checkout, find its node_modules.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';
import type { TestBotOptions } from './bot';
import { PROJECT_ROOT } from './fixtures';

const ROOT = PROJECT_ROOT;
/** Everything the bot and test/support/bot.ts import from this checkout. */
const SOURCES = ['src', 'views', 'test/support'];
const READY_TIMEOUT_MS = 30_000;
/** Kept for the error of a child that failed, not to flood a passing test's output. */
const OUTPUT_LINES = 40;
const BUILD = /^metaflowbot-bot-[0-9a-f]{16}$/;
/** Builds of other sources go once nothing can still be using them. */
const KEEP_OLD_BUILDS_MS = 24 * 60 * 60 * 1000;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** The folder holding the transpiled checkout; built unless this exact source was built before. */
export function buildBot(): string {
  const files = SOURCES.flatMap((d) => sources(join(ROOT, d))).sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(relative(ROOT, file)).update(readFileSync(file));
  const dir = join(tmpdir(), `metaflowbot-bot-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'COMPLETE'))) return dir;
  const building = `${dir}.${randomUUID().slice(0, 8)}`;
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  for (const file of files) {
    const out = join(building, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file }).outputText);
  }
  writeFileSync(join(building, 'COMPLETE'), '');
  try {
    renameSync(building, dir);
  } catch {
    // Another test file built the same sources meanwhile: theirs is as good.
    rmSync(building, { recursive: true, force: true });
  }
  for (const old of readdirSync(tmpdir()).filter((name) => BUILD.test(name))) {
    const path = join(tmpdir(), old);
    if (path !== dir && Date.now() - statSync(path).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(path, { recursive: true, force: true });
  }
  return dir;
}

const CHILD = `
const [build, options] = [process.argv[1], JSON.parse(process.argv[2])];
const { startTestBot } = require(require('node:path').join(build, 'test', 'support', 'bot.js'));
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
  static async start(build: string, options: TestBotOptions): Promise<BotProcess> {
    const child = spawn(process.execPath, ['-e', CHILD, build, JSON.stringify(options)], {
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
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
