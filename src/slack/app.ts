/** The Bolt app: HTTP receiver (mounted in fastify by server.ts) or Socket Mode. */
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { SlackSettings } from '../config';
import type { SlackDeps } from './deps';
import { registerListeners } from './listeners';

export interface SlackApp {
  app: App;
  /** Set in HTTP mode: server.ts hands it each request. */
  http: HTTPReceiver | null;
  mode: 'http' | 'socket';
}

const LOG_LEVELS: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

export function createSlackApp(slack: SlackSettings, deps: SlackDeps, logLevel = 'info'): SlackApp {
  const clientOptions = slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {};
  let receiver: Receiver;
  let http: HTTPReceiver | null = null;
  if (slack.appToken) {
    receiver = new SocketModeReceiver({ appToken: slack.appToken, logLevel: LOG_LEVELS[logLevel], installerOptions: { clientOptions } });
  } else {
    http = new HTTPReceiver({ signingSecret: slack.signingSecret ?? '', logLevel: LOG_LEVELS[logLevel] });
    receiver = http;
  }
  const app = new App({ token: slack.botToken, receiver, clientOptions, logLevel: LOG_LEVELS[logLevel] });
  registerListeners(app, deps);
  return { app, http, mode: slack.appToken ? 'socket' : 'http' };
}
