/** Builds and publishes one user's App Home (debounced and deduplicated by the publisher). */
import type { Logger, webApi } from '@slack/bolt';
import { homeView } from '../../../views/home';
import type { ListenerDeps } from '../listeners/deps';
import { homeInput } from './load';

export interface HomeRequest {
  userId: string;
  /** The user's DM with the bot, when the request says. */
  channel: string | null;
  force: boolean;
  /** private_metadata of the Home view the user has, when Slack sent it. */
  current: string | undefined;
  client: webApi.WebClient;
  logger: Logger;
}

export async function publishHome(deps: ListenerDeps, request: HomeRequest): Promise<void> {
  const outcome = await deps.home.publish({
    ...request,
    build: async () => homeView(await homeInput(deps, deps, request.userId, request)),
  });
  request.logger.debug(`App Home of ${request.userId}: ${outcome}`);
}
