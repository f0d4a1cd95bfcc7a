/** Every Slack callback of the bot, registered in one place. */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps';
import { SharedAnswers } from '../reply';
import { register as registerActions } from './actions';
import { register as registerCommands } from './commands';
import { register as registerEvents } from './events';

export function registerListeners(app: App, deps: SlackDeps): void {
  const listenerDeps = { ...deps, shares: new SharedAnswers() };
  registerCommands(app, listenerDeps);
  registerEvents(app, listenerDeps);
  registerActions(app, listenerDeps);
}
