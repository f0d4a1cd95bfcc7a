/** "Browse runs" on App Home: the runs modal, starting with the flows. */
import type { ButtonAction } from '@slack/bolt';
import { rootNav } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { homeChannel, openScreen, type ClickArgs } from '../surface';

export function homeBrowseRuns(deps: ListenerDeps) {
  return async ({ ack, body, client, logger }: ClickArgs<ButtonAction>): Promise<void> => {
    await ack();
    await openScreen(deps, { client, logger }, body.trigger_id, body.user.id, rootNav({ kind: 'flows', page: 0 }, homeChannel(body.view)));
  };
}
