/** A run's Inspect button: in the runs modal, the run one level deeper; on App Home or on a
 *  message (a run notification), a new modal showing the run. */
import type { ButtonAction } from '@slack/bolt';
import { isFlowName, isId } from '../../../metaflow/runspec/names';
import { decodeValue, inspectRunValue } from '../../ids';
import { navigate, rootNav } from '../../navigation';
import { outOfDateView } from '../../../../views/modals/error';
import type { ListenerDeps } from '../deps';
import { homeChannel, moveFromClick, openModal, openScreen, type ClickArgs } from '../surface';

export function inspectRun(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    const value = decodeValue(inspectRunValue, args.action.value);
    const { body, client, logger } = args;
    const fromHome = body.view?.type === 'home';
    if (fromHome || !body.view) {
      await args.ack();
      const io = { client, logger };
      if (!value || !isFlowName(value.flow) || !isId(value.run)) {
        await openModal(io, body.trigger_id, outOfDateView());
        return;
      }
      const at = { kind: 'run' as const, flow: value.flow, run: value.run, page: 0 };
      // Files asked for in the modal go to the conversation the button was in.
      const channel = fromHome ? homeChannel(body.view) : (body.channel?.id ?? null);
      await openScreen(deps, io, body.trigger_id, body.user.id, rootNav(at, channel));
      return;
    }
    // moveFromClick acks, once the answer is held.
    await moveFromClick(deps, args, (from) => (value ? navigate(from, { type: 'run', flow: value.flow, run: value.run }) : null));
  };
}
