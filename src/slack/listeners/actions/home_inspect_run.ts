/** "Inspect a run…" on App Home: a modal to type a run query in. */
import type { ButtonAction } from '@slack/bolt';
import { rootNav } from '../../navigation';
import type { ListenerDeps } from '../deps';
import { homeChannel, openScreen, type ClickArgs } from '../surface';

export function homeInspectRun(deps: ListenerDeps) {
  return async ({ ack, body, client, logger }: ClickArgs<ButtonAction>): Promise<void> => {
    await ack();
    await openScreen(deps, { client, logger }, body.trigger_id, body.user.id, rootNav({ kind: 'inspect' }, homeChannel(body.view)));
  };
}
