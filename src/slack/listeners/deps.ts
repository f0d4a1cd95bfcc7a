/** What listeners share beyond SlackDeps: state that lives as long as the app. */
import type { SlackDeps } from '../deps';
import type { SharedAnswers } from '../reply';

export interface ListenerDeps extends SlackDeps {
  shares: SharedAnswers;
}
