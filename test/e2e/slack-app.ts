/**
 * The Slack app alone (src/slack/app.ts behind src/server.ts), with dependencies a test chooses:
 * a Metaflow client on a fixed clock, a state store it can write to, a user mapping. For what
 * the full bot (test/support/bot.ts) does not let a test set.
 */
import type { FastifyInstance } from 'fastify';
import type { MetaflowClient } from '../../src/metaflow/client';
import { createLogger } from '../../src/observability/logger';
import { Metrics } from '../../src/observability/metrics';
import { buildServer } from '../../src/server';
import type { AnswerSettings } from '../../src/slack/answers';
import { createSlackApp, type SlackApp } from '../../src/slack/app';
import type { UserMapping } from '../../src/slack/deps';
import { MemoryStateStore } from '../../src/state/memory';
import type { StateStore } from '../../src/state/store';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../support/bot';

export interface SlackAppOptions {
  slackApiUrl: string;
  client: MetaflowClient;
  userMapping: UserMapping;
  uiUrl?: string | null;
  /** A store other apps share, as replicas do; the caller closes it. Default: a private one. */
  state?: StateStore;
  answerSettings?: Partial<AnswerSettings>;
  /** How long `stop` waits for answers under way; default 10 s, as the bot. */
  drainMs?: number;
  /** Requests per minute from one address; default the server's. */
  rateLimitPerMinute?: number;
}

export interface RunningSlackApp {
  baseUrl: string;
  state: StateStore;
  slack: SlackApp;
  stop(): Promise<void>;
}

export async function startSlackApp(opts: SlackAppOptions): Promise<RunningSlackApp> {
  const state = opts.state ?? new MemoryStateStore();
  const metrics = new Metrics();
  const slack = createSlackApp(
    { botToken: TEST_BOT_TOKEN, signingSecret: TEST_SIGNING_SECRET, appToken: null, apiUrl: opts.slackApiUrl },
    { client: opts.client, state, uiUrl: opts.uiUrl ?? null, version: 'test', backend: 'local', userMapping: opts.userMapping, answerSettings: opts.answerSettings },
    { logger: createLogger('error'), metrics },
  );
  const server: FastifyInstance = await buildServer({ receiver: slack.http, metrics, ready: async () => {}, rateLimitPerMinute: opts.rateLimitPerMinute });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    state,
    slack,
    stop: async () => {
      await server.close();
      await slack.inFlight.drain(opts.drainMs ?? 10_000);
      if (!opts.state) await state.close();
    },
  };
}
