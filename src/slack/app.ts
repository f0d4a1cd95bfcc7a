/** The Bolt app: HTTP receiver (mounted in fastify by server.ts) or Socket Mode. */
import { App, HTTPModuleFunctions, HTTPReceiver, SocketModeReceiver, webApi, type Receiver, type ReceiverProcessEventErrorHandlerArgs } from '@slack/bolt';
import { boltLogger } from '../observability/bolt-logger';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { observedFetch } from '../observability/slack-fetch';
import type { SlackSettings } from '../config';
import type { SlackDeps } from './deps';
import type { ListenerDeps } from './listeners/deps';
import { registerListeners } from './listeners';
import { InFlight, observe, principalScope, timeAcks } from './middleware';

const { retryPolicies } = webApi;
type WebClientOptions = webApi.WebClientOptions;

export interface SlackApp {
  app: App;
  /** Set in HTTP mode: server.ts hands it each request. */
  http: HTTPReceiver | null;
  /** Set in Socket Mode. */
  socket: SocketModeReceiver | null;
  mode: 'http' | 'socket';
  /** What the listeners share. */
  deps: ListenerDeps;
  /** Listeners still at work (after their ack). */
  inFlight: InFlight;
}

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Bolt answers 500 when it throws before a listener acks. The listeners ack first, so a
 * TypeError there is Bolt failing to read a signed body of the wrong shape (`"event": null`, a
 * view action without its view), which Slack never sends: the request is refused with 400.
 */
async function refuseUnreadable(args: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  // Bolt hands over a TypeError of its own middleware wrapped (UnknownError, `original`).
  const error: unknown = args.error instanceof TypeError ? args.error : (args.error as { original?: unknown }).original;
  if (!(error instanceof TypeError) || args.response.headersSent) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
  args.logger.warn(`Refused a Slack request Bolt could not read: ${error.message}`);
  args.response.writeHead(400);
  args.response.end();
  return true;
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
    http = new HTTPReceiver({ signingSecret: slack.signingSecret ?? '', logger, processEventErrorHandler: refuseUnreadable });
    receiver = http;
  }
  const app = new App({ token: slack.botToken, receiver, clientOptions: clientOptions(), logger });
  timeAcks(app, obs.metrics);
  const inFlight = new InFlight();
  app.use(inFlight.middleware());
  app.use(observe(obs.logger, obs.metrics));
  app.use(principalScope());
  const listenerDeps = registerListeners(app, deps);
  return { app, http, socket, mode: socket ? 'socket' : 'http', deps: listenerDeps, inFlight };
}
