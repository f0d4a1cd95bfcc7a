/** The Bolt app: HTTP receiver (mounted in fastify by server.ts) or Socket Mode. */
import { App, HTTPReceiver, SocketModeReceiver, webApi, type Receiver } from '@slack/bolt';
import { boltLogger } from '../observability/bolt-logger';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { observedFetch } from '../observability/slack-fetch';
import type { SlackSettings } from '../config';
import type { SlackDeps } from './deps';
import { registerListeners } from './listeners';
import { observe, principalScope } from './middleware';

const { retryPolicies } = webApi;
type WebClientOptions = webApi.WebClientOptions;

export interface SlackApp {
  app: App;
  /** Set in HTTP mode: server.ts hands it each request. */
  http: HTTPReceiver | null;
  /** Set in Socket Mode. */
  socket: SocketModeReceiver | null;
  mode: 'http' | 'socket';
}

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

export function createSlackApp(slack: SlackSettings, deps: SlackDeps, obs: Observability): SlackApp {
  const logger = boltLogger(obs.logger);
  // Explicit, because the Socket Mode client otherwise writes 100 retries into the options
  // object Bolt shares with every listener's Web API client.
  const clientOptions = (): WebClientOptions => ({
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    retryConfig: retryPolicies.fiveRetriesInFiveMinutes,
    fetch: observedFetch(obs.metrics),
  });
  let receiver: Receiver;
  let http: HTTPReceiver | null = null;
  let socket: SocketModeReceiver | null = null;
  if (slack.appToken) {
    receiver = socket = new SocketModeReceiver({ appToken: slack.appToken, logger, installerOptions: { clientOptions: clientOptions() } });
  } else {
    http = new HTTPReceiver({ signingSecret: slack.signingSecret ?? '', logger });
    receiver = http;
  }
  const app = new App({ token: slack.botToken, receiver, clientOptions: clientOptions(), logger });
  app.use(observe(obs.logger, obs.metrics));
  app.use(principalScope());
  registerListeners(app, deps);
  return { app, http, socket, mode: socket ? 'socket' : 'http' };
}
