/** What a modal shows the moment it opens: Slack's trigger_id lives 3 seconds, Metaflow may
 *  take longer, so the data replaces this view when it arrives. */
import type { ModalView } from '@slack/types';
import { context, section } from '../components/blocks';
import { code } from '../components/format';
import { modal } from '../components/modal';

export interface LoadingInput {
  /** What is being read, e.g. `FailFlow/1795835906791541`. */
  what: string | null;
  metadata: string;
  pushed: boolean;
}

export function loadingView({ what, metadata, pushed }: LoadingInput): ModalView {
  return modal({
    title: 'Metaflow',
    metadata,
    pushed,
    blocks: [section(':hourglass_flowing_sand: Reading Metaflow…'), ...(what ? [context(code(what))] : [])],
  });
}
