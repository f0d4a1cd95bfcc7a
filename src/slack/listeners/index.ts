/** Every Slack callback of the bot, registered in one place. */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps';
import { HomePublisher } from '../home/publisher';
import { MetaflowUsers } from '../home/users';
import { register as registerActions } from './actions';
import { register as registerCommands } from './commands';
import { register as registerEvents } from './events';
import { register as registerOptions } from './options';
import { register as registerViews } from './views';

export function registerListeners(app: App, deps: SlackDeps): void {
  const listenerDeps = { ...deps, users: new MetaflowUsers(deps.userMapping), home: new HomePublisher() };
  registerCommands(app, listenerDeps);
  registerEvents(app, listenerDeps);
  registerActions(app, listenerDeps);
  registerOptions(app, listenerDeps);
  registerViews(app, listenerDeps);
}
