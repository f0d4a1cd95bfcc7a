/** Every Slack callback of the bot, registered in one place. */
import type { App } from '@slack/bolt';
import { defaultReplicaId } from '../../notify';
import { ANSWER_DEFAULTS, PendingAnswers } from '../answers';
import type { SlackDeps } from '../deps';
import type { ListenerDeps } from './deps';
import { HomePublisher } from '../home/publisher';
import { UserChannels } from '../home/channels';
import { MetaflowUsers } from '../home/users';
import { register as registerActions } from './actions';
import { register as registerCommands } from './commands';
import { register as registerEvents } from './events';
import { register as registerOptions } from './options';
import { register as registerViews } from './views';

/** Returns what the listeners share, for the answer recovery (answers.ts) to render as they do. */
export function registerListeners(app: App, deps: SlackDeps): ListenerDeps {
  const answers = new PendingAnswers(deps.state, { owner: defaultReplicaId(), ...ANSWER_DEFAULTS, ...deps.answerSettings });
  const listenerDeps: ListenerDeps = { ...deps, users: new MetaflowUsers(deps.userMapping), channels: new UserChannels(), home: new HomePublisher(), answers };
  registerCommands(app, listenerDeps);
  registerEvents(app, listenerDeps);
  registerActions(app, listenerDeps);
  registerOptions(app, listenerDeps);
  registerViews(app, listenerDeps);
  return listenerDeps;
}
