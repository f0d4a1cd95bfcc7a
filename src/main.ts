/** Starts the bot: `metaflowbot start` and `npm start`. */
import type { FastifyInstance } from 'fastify';
import { loadConfig, type BotConfig } from './config';
import { createBackend } from './metaflow/backend';
import { createSlackApp, type SlackApp } from './slack/app';
import { buildServer } from './server';
import { MemoryStateStore } from './state/memory';
import { version } from './version';

export interface RunningBot {
  slack: SlackApp;
  server: FastifyInstance;
  /** The port the server listens on (useful when configured as 0). */
  port: number;
  stop(): Promise<void>;
}

export async function startBot(config: BotConfig): Promise<RunningBot> {
  const backend = createBackend(config.metaflow, { lostAfterMs: config.lostAfterMs });
  const state = new MemoryStateStore();
  const slack = createSlackApp(
    config.slack,
    { client: backend.client, state, uiUrl: config.metaflow.uiUrl, version, backend: backend.describe() },
    config.logLevel,
  );
  const server = await buildServer({
    receiver: slack.http,
    ready: async () => {
      await backend.client.listFlows();
      await slack.app.client.auth.test();
    },
  });
  await server.listen({ port: config.port, host: config.host });
  if (slack.mode === 'socket') await slack.app.start();
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let stopping: Promise<void> | null = null;
  return {
    slack,
    server,
    port,
    stop: () => {
      stopping ??= (async () => {
        await server.close();
        if (slack.mode === 'socket') await slack.app.stop();
        await state.close();
        await backend.close();
      })();
      return stopping;
    },
  };
}

/** Runs until SIGTERM or SIGINT, then finishes in-flight requests and exits. */
export async function runForever(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(env);
  const bot = await startBot(config);
  process.stdout.write(`metaflowbot ${version} listening on ${config.host}:${bot.port} (${bot.slack.mode === 'socket' ? 'Socket Mode' : 'HTTP, POST /slack/events'})\n`);
  const shutdown = (signal: string): void => {
    process.stdout.write(`metaflowbot: ${signal} received, shutting down\n`);
    bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
