/**
 * The playground: the real app (`startBot`) against a local Slack stand-in, with a page at
 * http://127.0.0.1:<port>/ that behaves like a Slack client. For trying the bot and judging its
 * messages and views without a Slack workspace. It binds to 127.0.0.1 only, and refuses to run
 * where Slack credentials are configured, so that a deployment never serves it.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, slackCredentialsSet, type BotConfig } from '../config';
import { startBot } from '../main';
import { resolveMetaflowSettings, type MetaflowSettings } from '../metaflow/config';
import { createLogger } from '../observability/logger';
import { demoRoot } from './assets';
import type { Problem } from './person';
import { startStandIn, type StandIn } from './stand-in';

export interface PlaygroundOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** `--config FILE`; else METAFLOWBOT_CONFIG. */
  configFile?: string | null;
  /** The page's port on 127.0.0.1; 0 picks a free one. */
  port: number;
  onProblem?: (problem: Problem) => void;
}

export interface Playground {
  /** The page, `http://127.0.0.1:<port>/`. */
  url: string;
  /** What the bot reads, in a few words. */
  data: string;
  standIn: StandIn;
  stop(): Promise<void>;
}

/** Whether `metaflowbot start` runs the playground: no Slack credentials anywhere, and not a
 *  production deployment, which must fail loudly when it lost its credentials. */
export function playgroundInstead(env: NodeJS.ProcessEnv, configFile: string | null): boolean {
  return env.NODE_ENV !== 'production' && slackCredentialsSet({ env, configFile }).length === 0;
}

/** The nearest `.metaflow` (or whatever Metaflow is configured to read), else the demo flows. */
function metaflowFor(settings: MetaflowSettings, env: NodeJS.ProcessEnv, cwd: string): { settings: MetaflowSettings; data: string } {
  if (settings.metadata.kind === 'service') return { settings, data: `the metadata service at ${settings.metadata.url}` };
  if (settings.sources.METAFLOW_DATASTORE_SYSROOT_LOCAL !== 'default') return { settings, data: settings.metadata.root };
  return { settings: resolveMetaflowSettings({ env, cwd, localRootOverride: demoRoot() }), data: 'the demo flows (no .metaflow here)' };
}

export async function startPlayground(opts: PlaygroundOptions): Promise<Playground> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const configFile = opts.configFile ?? null;
  const configured = slackCredentialsSet({ env, configFile });
  if (configured.length > 0) {
    throw new ConfigError(
      `The playground does not run where Slack credentials are configured (${configured.join(', ')}): a deployment must never serve it. ` +
        'Use `metaflowbot start` with them, or unset them to try the bot locally.',
    );
  }
  const token = `xoxb-playground-${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(32).toString('hex');
  let standIn: StandIn;
  try {
    standIn = await startStandIn({ port: opts.port, token, onProblem: opts.onProblem });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError(`Port ${opts.port} on 127.0.0.1 is in use: pick another with --port.`);
    throw err;
  }
  try {
    // The app's own validation still runs: only the Slack settings are the playground's.
    const loaded = loadConfig({ env: { ...env, SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: signingSecret }, cwd, configFile });
    const metaflow = metaflowFor(loaded.metaflow, env, cwd);
    const config: BotConfig = {
      ...loaded,
      slack: { botToken: token, signingSecret, appToken: null, apiUrl: standIn.apiUrl },
      metaflow: metaflow.settings,
      host: '127.0.0.1',
      port: 0,
      // The stand-in's workspace lives as long as the process: nothing of it may reach a real store.
      state: { redisUrl: null, path: ':memory:' },
      // Its page shows what goes wrong; the terminal keeps quiet unless asked.
      logLevel: env.LOG_LEVEL ? loaded.logLevel : 'warn',
    };
    const bot = await startBot(config, createLogger(config.logLevel));
    // Bolt checks its token as it starts, without waiting; a stand-in closed before that answer
    // would leave the app retrying for minutes.
    await standIn.slack.waitFor('auth.test').catch(async (err: unknown) => {
      await bot.stop();
      throw err;
    });
    standIn.connect({ url: `http://127.0.0.1:${bot.port}/slack/events`, signingSecret });
    return {
      url: standIn.url,
      data: metaflow.data,
      standIn,
      stop: async () => {
        await bot.stop();
        await standIn.close();
      },
    };
  } catch (err) {
    await standIn.close();
    throw err;
  }
}

/** `metaflowbot playground`, and `metaflowbot start` without Slack credentials: runs until
 *  SIGTERM or SIGINT. */
export async function runPlayground(opts: PlaygroundOptions & { out: (line: string) => void; why?: string }): Promise<void> {
  const playground = await startPlayground({
    ...opts,
    onProblem: (p) => process.stderr.write(`metaflowbot playground: ${p.summary}${p.details.map((d) => `\n  ${d}`).join('')}\n`),
  });
  opts.out(`metaflowbot playground${opts.why ? ` (${opts.why})` : ''}: open ${playground.url} — the bot with a local Slack stand-in, reading ${playground.data}`);
  const shutdown = (): void => {
    playground.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
