#!/usr/bin/env node
/** The `metaflowbot` command line. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { createBackend } from '../metaflow/backend';
import { MetaflowConfigError, resolveMetaflowSettings } from '../metaflow/config';
import { MetaflowError } from '../metaflow/errors';
import { RunQueryError } from '../metaflow/runspec';
import { ConfigError, loadLostAfterMs } from '../config';
import { formatChecks, runChecks } from './check';
import { eventsUrl, manifestText } from './manifest';
import { show } from './show';
import { version } from '../version';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return n;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0 picks a free one).');
  return n;
}

/** `--http`: a URL Slack can call, checked before anything else runs. */
function publicUrl(value: string): string {
  try {
    eventsUrl(value);
  } catch (err) {
    if (err instanceof ConfigError) throw new InvalidArgumentError(err.message);
    throw err;
  }
  return value;
}

/** The playground's page: --port, else PORT, else 3000. */
function playgroundPort(option: number | undefined, env: NodeJS.ProcessEnv): number {
  const fromEnv = env.PORT;
  if (option !== undefined || !fromEnv) return option ?? 3000;
  const n = Number(fromEnv);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`PORT (${JSON.stringify(fromEnv)}): must be a port number, or 0 for any free one.`);
  return n;
}

/** Errors a user can act on print as one line; anything else is a bug and keeps its stack. */
function explain(err: unknown): string | null {
  if (err instanceof RunQueryError || err instanceof MetaflowError || err instanceof MetaflowConfigError || err instanceof ConfigError) return err.message;
  return null;
}

/** A command that has already printed why it failed: the process exits with its code, adding nothing. */
class CommandFailed extends Error {
  constructor(readonly exitCode: number) {
    super(`exit code ${exitCode}`);
  }
}

/** Where the command line reads its settings and writes its output: the process's, or a test's. */
export interface CliContext {
  /** Writes one line (or block) of output. */
  out(text: string): void;
  /** Writes one line (or block) of diagnostics. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function processContext(): CliContext {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    cwd: process.cwd(),
  };
}

export function buildProgram(cli: CliContext = processContext()): Command {
  // Usage errors, --help and --version throw instead of exiting, so `main` decides the exit code.
  const program = new Command('metaflowbot')
    .description('A read-only Slack app for Metaflow runs.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (text) => cli.out(text.replace(/\n$/, '')), writeErr: (text) => cli.err(text.replace(/\n$/, '')) });

  program
    .command('show')
    .description('Show what the bot sees of a flow, run, step or task (e.g. "HelloFlow", "latest run of HelloFlow", "HelloFlow/42/start/3").')
    .argument('<query...>', 'a run query')
    .option('--json', 'print stable JSON (see docs/cli.md)', false)
    .option('--logs', 'for a task, include the tails of stdout and stderr', false)
    .option('--root <dir>', 'the folder holding .metaflow (default: METAFLOW_DATASTORE_SYSROOT_LOCAL, else the nearest .metaflow upwards)')
    .option('--limit <n>', 'runs or tasks per list', positiveInt, 20)
    .option('--log-lines <n>', 'lines of each log tail', positiveInt, 20)
    .option('--config <file>', 'a metaflowbot.yml, for metaflow.lostAfterSeconds (default: METAFLOWBOT_CONFIG)')
    .action(async (words: string[], opts: { json: boolean; logs: boolean; root?: string; limit: number; logLines: number; config?: string }) => {
      // When an unfinished run counts as lost, exactly as the bot decides it.
      const lostAfterMs = loadLostAfterMs({ env: cli.env, configFile: opts.config ?? null });
      const settings = resolveMetaflowSettings({ env: cli.env, cwd: cli.cwd, localRootOverride: opts.root ?? null });
      const backend = createBackend(settings, { lostAfterMs });
      try {
        cli.out(await show(backend.client, words.join(' '), opts));
      } finally {
        await backend.close();
      }
    });

  program
    .command('start')
    .description(
      'Run the Slack app (Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT). Stops on SIGTERM. ' +
        'With no Slack credentials configured (and NODE_ENV not production) it runs the playground instead.',
    )
    .option('--config <file>', 'a metaflowbot.yml (default: METAFLOWBOT_CONFIG)')
    .action(async (opts: { config?: string }) => {
      const configFile = opts.config ?? null;
      const playground = await import('../playground');
      if (playground.playgroundInstead(cli.env, configFile)) {
        const port = playgroundPort(undefined, cli.env);
        await playground.runPlayground({ configFile, port, env: cli.env, cwd: cli.cwd, out: cli.out, why: 'no Slack credentials are configured' });
        return;
      }
      // Loaded here so that `show` does not pay for Bolt and fastify.
      const { runForever } = await import('../main');
      await runForever(cli.env, configFile);
    });

  program
    .command('playground')
    .description('Try the bot without Slack: the real app against a local Slack stand-in, with a page at http://127.0.0.1:<port>/ that works like a Slack client.')
    .option('--config <file>', 'a metaflowbot.yml (default: METAFLOWBOT_CONFIG); it must hold no Slack credentials')
    .option('--port <n>', 'the page\'s port on 127.0.0.1 (default: PORT, else 3000; 0 picks a free one)', portNumber)
    .action(async (opts: { config?: string; port?: number }) => {
      const { runPlayground } = await import('../playground');
      await runPlayground({ configFile: opts.config ?? null, port: playgroundPort(opts.port, cli.env), env: cli.env, cwd: cli.cwd, out: cli.out });
    });

  program
    .command('check')
    .description('Check the configuration, Slack (auth.test) and Metaflow (list a flow); exit code 0 only if all pass.')
    .option('--config <file>', 'a metaflowbot.yml (default: METAFLOWBOT_CONFIG)')
    .action(async (opts: { config?: string }) => {
      const lines = await runChecks({ env: cli.env, cwd: cli.cwd, configFile: opts.config ?? null });
      cli.out(formatChecks(lines));
      if (lines.some((l) => !l.ok)) throw new CommandFailed(1);
    });

  program
    .command('manifest')
    .description('Print the Slack app manifest: Socket Mode by default, or HTTP with request URLs.')
    .option('--http <url>', 'the public https:// URL of the bot (its /slack/events route)', publicUrl)
    .option('--unfurl-domain <domain>', 'the Metaflow UI host whose links unfurl')
    .action((opts: { http?: string; unfurlDomain?: string }) => {
      cli.out(manifestText({ http: opts.http ?? null, unfurlDomain: opts.unfurlDomain ?? null }).trimEnd());
    });

  return program;
}

/** Runs one command line; resolves to the exit code. Only a bug rejects. */
export async function main(argv: string[], cli: CliContext = processContext()): Promise<number> {
  try {
    await buildProgram(cli).parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander has printed its usage error, help or version; a failed command its verdict.
    if (err instanceof CommanderError || err instanceof CommandFailed) return err.exitCode;
    const message = explain(err);
    if (message === null) throw err;
    cli.err(`metaflowbot: ${message}`);
    return 1;
  }
}

if (require.main === module) {
  // The SDK's notice that its releases after January 2027 need Node 22 would print on every
  // S3-backed command; this is the switch AWS documents for it (aws/aws-sdk-js-v3#7983).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main(process.argv).then(
    (code) => {
      if (code !== 0) process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`metaflowbot: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
