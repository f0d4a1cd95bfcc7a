/** Type-ahead of the flow picker: the flows whose names match what was typed (nothing typed:
 *  the first 100). Slack gives 3 seconds; a slow backend answers with no options rather than
 *  none at all. */
import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { resolveWithin } from '../../../metaflow/concurrency';
import { matchingChoices, plainOptions } from '../../../../views/components/select';
import type { ListenerDeps } from '../deps';

const ANSWER_WITHIN_MS = 2500;

export function runsFlowOptions(deps: ListenerDeps) {
  return async ({ ack, options, logger }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs): Promise<void> => {
    try {
      const flows = await resolveWithin(deps.client.listFlows(), ANSWER_WITHIN_MS);
      if (flows === null) logger.warn('Listing flows for the flow picker took too long.');
      await ack({ options: plainOptions(matchingChoices((flows ?? []).map((f) => f.name), options.value)) });
    } catch (err) {
      logger.error('Could not list flows for the flow picker:', err);
      await ack({ options: [] });
    }
  };
}
