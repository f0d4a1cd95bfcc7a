/** What listeners share beyond SlackDeps: state that lives as long as the app. */
import type { PendingAnswers } from '../answers';
import type { SlackDeps } from '../deps';
import type { UserChannels } from '../home/channels';
import type { HomePublisher } from '../home/publisher';
import type { MetaflowUsers } from '../home/users';

export interface ListenerDeps extends SlackDeps {
  users: MetaflowUsers;
  channels: UserChannels;
  home: HomePublisher;
  answers: PendingAnswers;
}
