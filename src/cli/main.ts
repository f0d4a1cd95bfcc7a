#!/usr/bin/env node
/** The `metaflowbot` command line. */
import { Command, InvalidArgumentError } from 'commander';
import { createBackend } from '../metaflow/backend';
import { MetaflowConfigError, resolveMetaflowSettings } from '../metaflow/config';
import { MetaflowError } from '../metaflow/errors';
import { RunQueryError } from '../metaflow/runspec';
import { ConfigError } from '../config';
import { formatChecks, runChecks } from './check';
import { manifestText } from './manifest';
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

/** The playground's page: --port, else PORT, else 3000. */
function playgroundPort(option: number | undefined): number {
  const fromEnv = process.env.PORT;
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

export function buildProgram(out: (text: string) => void = (t) => process.stdout.write(`${t}\n`)): Command {
  const program = new Command('metaflowbot').description('A read-only Slack app for Metaflow runs.').version(version);

  program
    .command('show')
    .description('Show what the bot sees of a flow, run, step or task (e.g. "HelloFlow", "latest run of HelloFlow", "HelloFlow/42/start/3").')
    .argument('<query...>', 'a run query')
    .option('--json', 'print stable JSON (see docs/cli.md)', false)
    .option('--logs', 'for a task, include the tails of stdout and stderr', false)
    .option('--root <dir>', 'the folder holding .metaflow (default: METAFLOW_DATASTORE_SYSROOT_LOCAL, else the nearest .metaflow upwards)')
    .option('--limit <n>', 'runs or tasks per list', positiveInt, 20)
    .option('--log-lines <n>', 'lines of each log tail', positiveInt, 20)
    .action(async (words: string[], opts: { json: boolean; logs: boolean; root?: string; limit: number; logLines: number }) => {
      const settings = resolveMetaflowSettings({ env: process.env, cwd: process.cwd(), localRootOverride: opts.root ?? null });
      const backend = createBackend(settings);
      try {
        out(await show(backend.client, words.join(' '), opts));
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
      if (playground.playgroundInstead(process.env, configFile)) {
        await playground.runPlayground({ configFile, port: playgroundPort(undefined), out, why: 'no Slack credentials are configured' });
        return;
      }
      // Loaded here so that `show` does not pay for Bolt and fastify.
      const { runForever } = await import('../main');
      await runForever(process.env, configFile);
    });

  program
    .command('playground')
    .description('Try the bot without Slack: the real app against a local Slack stand-in, with a page at http://127.0.0.1:<port>/ that works like a Slack client.')
    .option('--config <file>', 'a metaflowbot.yml (default: METAFLOWBOT_CONFIG); it must hold no Slack credentials')
    .option('--port <n>', 'the page\'s port on 127.0.0.1 (default: PORT, else 3000; 0 picks a free one)', portNumber)
    .action(async (opts: { config?: string; port?: number }) => {
      const { runPlayground } = await import('../playground');
      await runPlayground({ configFile: opts.config ?? null, port: playgroundPort(opts.port), out });
    });

  program
    .command('check')
    .description('Check the configuration, Slack (auth.test) and Metaflow (list a flow); exit code 0 only if all pass.')
    .option('--config <file>', 'a metaflowbot.yml (default: METAFLOWBOT_CONFIG)')
    .action(async (opts: { config?: string }) => {
      const lines = await runChecks({ env: process.env, cwd: process.cwd(), configFile: opts.config ?? null });
      out(formatChecks(lines));
      if (lines.some((l) => !l.ok)) process.exitCode = 1;
    });

  program
    .command('manifest')
    .description('Print the Slack app manifest: Socket Mode by default, or HTTP with request URLs.')
    .option('--http <url>', 'the public https:// URL of the bot (its /slack/events route)')
    .option('--unfurl-domain <domain>', 'the Metaflow UI host whose links unfurl')
    .action((opts: { http?: string; unfurlDomain?: string }) => {
      out(manifestText({ http: opts.http ?? null, unfurlDomain: opts.unfurlDomain ?? null }).trimEnd());
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    const message = explain(err);
    if (message === null) throw err;
    process.stderr.write(`metaflowbot: ${message}\n`);
    return 1;
  }
}

if (require.main === module) {
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
