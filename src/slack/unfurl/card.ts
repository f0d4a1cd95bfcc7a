/** The run card of a Metaflow UI link: the run, and the step or task the link points into. */
import type { MetaflowClient } from '../../metaflow/client';
import { unfurlCard, type UnfurlInput } from '../../../views/unfurl';
import type { UiTarget } from './links';

export async function cardFor(client: MetaflowClient, target: UiTarget, uiUrl: string): Promise<ReturnType<typeof unfurlCard>> {
  const { flow, run: id, step, task } = target;
  const [run, stepInfo, taskInfo] = await Promise.all([
    client.getRun(flow, id),
    step !== null && task === null ? client.getStep(flow, id, step) : null,
    step !== null && task !== null ? client.getTask(flow, id, step, task) : null,
  ]);
  const input: UnfurlInput = { run, step: stepInfo, task: taskInfo, uiUrl };
  return unfurlCard(input);
}
