/**
 * "Inspect a run…" submitted: the run (or step, task, runs) it names replaces the input, or the
 * input says what is wrong with the query. Slack wants the answer within 3 seconds; when
 * Metaflow is slower the view turns into a loading view and is filled when the data is there.
 */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { resolveWithin } from '../../../metaflow/concurrency';
import { NotFoundError } from '../../../metaflow/errors';
import { RunQueryError } from '../../../metaflow/runspec';
import { queryLocation } from '../../commands/open';
import { screen } from '../../commands/screens';
import { ACTION, BLOCK } from '../../ids';
import { decodeNav } from '../../navigation';
import { outOfDateView } from '../../../../views/modals/error';
import { loadingView } from '../../../../views/modals/loading';
import type { ListenerDeps } from '../deps';
import { replaceView, screenContext } from '../surface';

/** What is left of Slack's 3 seconds for reading Metaflow, with room for the answer's trip. */
const ANSWER_WITHIN_MS = 2000;

type Outcome = { view: ModalView } | { inputError: string };

export function inspectQuery(deps: ListenerDeps) {
  return async ({ ack, body, view, client, logger }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const from = decodeNav(view.private_metadata);
    if (!from || from.at.kind !== 'inspect') {
      await ack({ response_action: 'update', view: outOfDateView() });
      return;
    }
    const text = view.state.values[BLOCK.inspectQuery]?.[ACTION.inspectQueryInput]?.value?.trim() ?? '';
    const io = { client, logger };
    const outcome: Promise<Outcome> = (async () => {
      try {
        const at = await queryLocation(text, deps);
        return { view: await screen({ ...from, at }, screenContext(deps, body.user.id, io)) };
      } catch (err) {
        if (err instanceof RunQueryError || err instanceof NotFoundError) return { inputError: err.message };
        throw err;
      }
    })();
    const first = await resolveWithin(outcome, ANSWER_WITHIN_MS);
    if (first !== null) {
      await ack('inputError' in first ? { response_action: 'errors', errors: { [BLOCK.inspectQuery]: first.inputError } } : { response_action: 'update', view: first.view });
      return;
    }
    await ack({ response_action: 'update', view: loadingView({ at: null, pushed: from.depth > 1 }) });
    const done = await outcome;
    // The input is gone by now, so a query error is shown as a view, with the way back to it.
    const shown = 'view' in done ? done.view : await screen(from, screenContext(deps, body.user.id, io), done.inputError);
    await replaceView(io, { id: view.id, hash: null }, shown);
  };
}
