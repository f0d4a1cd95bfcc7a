/** The user opened the bot's Home tab: their Home, built again unless it was moments ago. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { homeKey } from '../../answers';
import { publishHome } from '../../home/publish';
import type { ListenerDeps } from '../deps';

export function appHomeOpened(deps: ListenerDeps) {
  return async ({ event, client, logger }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    if (event.tab !== 'home') return;
    // Held while it is built: a replica that dies meanwhile leaves it to another (answers.ts).
    await deps.answers.whileHeld({ id: homeKey(event.user), hash: null }, event.user, { home: { channel: event.channel ?? null } }, logger, () =>
      publishHome(deps, { userId: event.user, channel: event.channel, force: false, current: event.view?.private_metadata, client, logger }),
    );
  };
}
