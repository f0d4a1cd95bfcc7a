/** Starts the bot: `metaflowbot start` and `npm start`. */
import type { FastifyInstance } from 'fastify';
import { loadConfig, type BotConfig } from './config';
import { createBackend } from './metaflow/backend';
import { createSlackApp, type SlackApp } from './slack/app';
import { buildServer } from './server';
import { describeStateStore, openStateStore, stateStoreOptions, type StateStoreOptions } from './state/open';
import type { StateStore } from './state/store';
import { slackGroupResolver } from './access/groups';
import { guardClient } from './access/guarded-client';
import { AccessPolicy } from './access/policy';
import { defaultReplicaId, NOTIFIER_DEFAULTS, startNotifier, type Notifier, type NotifierOverrides } from './notify';
import { createLogger, type Logger } from './observability/logger';
import { instrumentBackend, Metrics } from './observability/metrics';
import { version } from './version';
import { boltLogger } from './observability/bolt-logger';
import { AnswerRecovery, type AnswerSettings } from './slack/answers';
import { finishAnswer } from './slack/listeners/recover';

export interface RunningBot {
  metrics: Metrics;
  state: StateStore;
  slack: SlackApp;
  server: FastifyInstance;
  /** The port the server listens on (useful when configured as 0). */
  port: number;
  stop(): Promise<void>;
}

/** How long a stop waits for answers under way. */
const DRAIN_MS = 10_000;

/** What tests and embedders set beyond the configuration. */
export interface StartOptions {
  /** Run notifications: timings and this replica's id (default: `config.replicaId`, else `<host>:<port>`). */
  notifier?: NotifierOverrides;
  /** Instead of `config.state`, e.g. Redis under a key prefix of its own. */
  state?: StateStoreOptions;
  /** Leases on modal answers under way (src/slack/answers.ts). */
  answers?: Partial<Omit<AnswerSettings, 'owner'>>;
}

export async function startBot(config: BotConfig, logger: Logger = createLogger(config.logLevel), options: StartOptions = {}): Promise<RunningBot> {
  // First, so that a schema or Redis problem fails the start before anything opens.
  const state = await openStateStore(options.state ?? stateStoreOptions(config.state));
  const metrics = new Metrics(() => backend.client.cache.stats());
  const backend = createBackend(config.metaflow, { lostAfterMs: config.lostAfterMs }, (target, name) => instrumentBackend(target, name, metrics));
  let started: { slack: SlackApp; server: FastifyInstance; port: number; notifier: Notifier; recovery: AnswerRecovery };
  const replicaId = options.notifier?.replicaId ?? config.replicaId ?? defaultReplicaId(config.port);
  try {
    const policy = new AccessPolicy(config.access);
    logger.info({ access: policy.describe() }, 'access policy');
    // The Slack app is built first; the guard reads user groups through its Web API client.
    let groupsOf: (user: string) => Promise<readonly string[]> = async () => [];
    const client = guardClient(backend.client, policy, (user) => groupsOf(user));
    const slack = createSlackApp(
      config.slack,
      { client, state, uiUrl: config.metaflow.uiUrl, version, backend: backend.describe(), userMapping: config.users, answerSettings: { ...options.answers, owner: replicaId } },
      { logger, metrics },
    );
    groupsOf = slackGroupResolver(slack.app.client, logger);
    const server = await buildServer({
      receiver: slack.http,
      metrics,
      ready: async () => {
        // Past the client's cache, which would answer for seconds after Metaflow went away.
        await backend.client.metadata.listFlows();
        await slack.app.client.auth.test();
      },
    });
    await server.listen({ port: config.port, host: config.host });
    if (slack.socket) await slack.app.start();
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const notifier = startNotifier(
      {
        state,
        client: backend.client,
        // A channel hears only of runs it may see, as if it had asked itself.
        canSee: (channel, run) => policy.canSeeRun({ user: null, channel, groups: [] }, run),
        botToken: config.slack.botToken,
        slackApiUrl: config.slack.apiUrl,
        uiUrl: config.metaflow.uiUrl,
        logger,
        metrics,
      },
      { ...NOTIFIER_DEFAULTS, pollIntervalMs: config.pollIntervalMs, lostAfterMs: config.lostAfterMs, ...options.notifier, replicaId },
    );
    const recovery = new AnswerRecovery(slack.deps.answers, { client: slack.app.client, logger: boltLogger(logger) }, finishAnswer(slack.deps), (outcome) => metrics.answersRecovered.inc({ outcome }));
    recovery.start();
    started = { slack, server, port, notifier, recovery };
  } catch (err) {
    await state.close();
    await backend.close();
    throw err;
  }
  const { slack, server, port, notifier, recovery } = started;
  let stopping: Promise<void> | null = null;
  return {
    metrics,
    state,
    slack,
    server,
    port,
    stop: () => {
      stopping ??= (async () => {
        await server.close();
        // Acked requests still being answered: finished, not cut short (a deploy's SIGTERM).
        if (!(await slack.inFlight.drain(DRAIN_MS))) logger.warn({ unfinished: slack.inFlight.size }, `answers still under way after ${DRAIN_MS / 1000} s; stopping anyway (another replica finishes modal answers)`);
        // Receiver.stop() does not wait for the socket to close; the client's disconnect does.
        if (slack.socket) await slack.socket.client.disconnect();
        await notifier.stop();
        await recovery.stop();
        await state.close();
        await backend.close();
      })();
      return stopping;
    },
  };
}

/** Runs until SIGTERM or SIGINT, then finishes in-flight requests and exits. */
export async function runForever(env: NodeJS.ProcessEnv = process.env, configFile: string | null = null): Promise<void> {
  const config = loadConfig({ env, configFile });
  const logger = createLogger(config.logLevel);
  const bot = await startBot(config, logger);
  logger.info({ version, port: bot.port, mode: bot.slack.mode, state: describeStateStore(stateStoreOptions(config.state)) }, `metaflowbot listening on ${config.host}:${bot.port} (${bot.slack.mode === 'socket' ? 'Socket Mode' : 'HTTP, POST /slack/events'})`);
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
