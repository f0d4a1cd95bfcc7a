/** "Refresh" on App Home: built again now, even within the debounce window. */
import type { ButtonAction } from '@slack/bolt';
import { publishHome } from '../../home/publish';
import type { ListenerDeps } from '../deps';
import { homeChannel, type ClickArgs } from '../surface';

export function homeRefresh(deps: ListenerDeps) {
  return async ({ ack, body, client, logger }: ClickArgs<ButtonAction>): Promise<void> => {
    await ack();
    await publishHome(deps, { userId: body.user.id, channel: homeChannel(body.view), force: true, current: body.view?.private_metadata, client, logger });
  };
}
