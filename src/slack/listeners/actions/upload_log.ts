/** "Upload full log": the whole stream of the attempt shown, as a file in the modal's conversation. */
import type { ButtonAction } from '@slack/bolt';
import { logFile } from '../../../../views/modals/logs';
import type { ListenerDeps } from '../deps';
import { navOfClick, postFileFromView, showOutOfDate, type ClickArgs } from '../surface';

export function uploadLog(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    await args.ack();
    const view = args.body.view;
    if (!view) return;
    const io = { client: args.client, logger: args.logger };
    const nav = await navOfClick(io, view);
    if (!nav) return;
    const at = nav.at;
    if (at.kind !== 'logs') return showOutOfDate(io, view);
    await postFileFromView(deps, args, nav, async () => {
      const ref = { flow: at.flow, run: at.run, step: at.step, task: at.task };
      const [task, log] = await Promise.all([
        deps.client.getTask(at.flow, at.run, at.step, at.task),
        deps.client.readFullLog(ref, { stream: at.stream, attempt: at.attempt ?? undefined }),
      ]);
      return logFile({ task, stream: at.stream, attempt: log.attempt, text: log.text, truncated: log.truncated });
    });
  };
}
