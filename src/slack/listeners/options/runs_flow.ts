/** Type-ahead of the flow picker: the flows whose names match what was typed (nothing typed:
 *  the first 100). Slack gives 3 seconds; a slow backend answers with no options rather than
 *  none at all. */
import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { matchingChoices, plainOptions } from '../../../../views/components/select';
import type { ListenerDeps } from '../deps';

const ANSWER_WITHIN_MS = 2500;

export function runsFlowOptions(deps: ListenerDeps) {
  return async ({ ack, options, logger }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ANSWER_WITHIN_MS);
    });
    try {
      const flows = await Promise.race([deps.client.listFlows(), late]);
      if (flows === null) logger.warn('Listing flows for the flow picker took too long.');
      await ack({ options: plainOptions(matchingChoices((flows ?? []).map((f) => f.name), options.value)) });
    } catch (err) {
      logger.error('Could not list flows for the flow picker:', err);
      await ack({ options: [] });
    } finally {
      clearTimeout(timer);
    }
  };
}
