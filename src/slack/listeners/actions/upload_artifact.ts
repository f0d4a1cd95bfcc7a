/** "Upload as file" on a large artifact: its value as a file in the modal's conversation. */
import type { ButtonAction } from '@slack/bolt';
import { artifactFile } from '../../../../views/modals/artifact';
import type { ListenerDeps } from '../deps';
import { navOfClick, postFileFromView, showOutOfDate, type ClickArgs } from '../surface';

/** Characters of a value read for its file: far beyond what Slack shows, well below memory trouble. */
const FILE_CHARS_MAX = 10_000_000;

export function uploadArtifact(deps: ListenerDeps) {
  return async (args: ClickArgs<ButtonAction>): Promise<void> => {
    await args.ack();
    const view = args.body.view;
    if (!view) return;
    const io = { client: args.client, logger: args.logger };
    const nav = await navOfClick(io, view);
    if (!nav) return;
    const at = nav.at;
    if (at.kind !== 'artifact') return showOutOfDate(io, view);
    await postFileFromView(deps, args, nav, async () => {
      const ref = { flow: at.flow, run: at.run, step: at.step, task: at.task };
      const artifact = await deps.client.getArtifact(ref, at.name, { previewLength: FILE_CHARS_MAX });
      return artifactFile(artifact, `${at.flow}/${at.run}/${at.step}/${at.task}`);
    });
  };
}
